using Engine.Nn;
using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Vision;

/// <summary>Images, grids, the jet colormap and overlay, Grad-CAM and filter patterns (chapter 22 helpers).</summary>
public class VisionTests
{
    private static string Temp(string name) => Path.Combine(Path.GetTempPath(), "engine-vision-tests", name);

    [Test]
    public void PngRoundTripIsExactAndBadFilesAreClearErrors()
    {
        var g = new Generator(1);
        var bytes = Enumerable.Range(0, 3 * 5 * 7).Select(_ => (float)g.NextInt(256)).ToArray();
        using var img = Tensor.FromArray(bytes, [1, 3, 5, 7]);
        var path = Temp("roundtrip.png");
        ImageIO.SavePng(img, path);
        Assert.That(File.Exists(path + ".part"), Is.False, "written atomically");
        using var back = ImageIO.Load(path);
        Assert.That(back.Shape, Is.EqualTo(new[] { 1, 3, 5, 7 }));
        Assert.That(back.ToArray<float>(), Is.EqualTo(bytes));
        using var nhwc = ImageIO.Load(path, channelsLast: true);
        Assert.That(nhwc.Shape, Is.EqualTo(new[] { 1, 5, 7, 3 }));
        Assert.That(nhwc.ToArray<float>()[..3], Is.EqualTo(new[] { bytes[0], bytes[35], bytes[70] }), "pixel (0, 0) as R, G, B");
        using var small = ImageIO.Load(path, 4, 6);
        Assert.That(small.Shape, Is.EqualTo(new[] { 1, 3, 4, 6 }));
        File.WriteAllBytes(Temp("bad.png"), [1, 2, 3, 4, 5]);
        var e = Assert.Throws<InvalidDataException>(() => ImageIO.Load(Temp("bad.png")));
        Assert.That(e!.Message, Does.Contain("bad.png"));
        Assert.Throws<FileNotFoundException>(() => ImageIO.Load(Temp("missing.png")));
        Assert.Throws<ArgumentException>(() => ImageIO.SavePng(Tensor.Zeros([2, 3, 4, 4]), Temp("x.png")));
    }

    [Test]
    public void CaffeAndImageNetPreprocessing()
    {
        using var px = Tensor.FromArray(new float[] { 10, 20, 30 }, [1, 3, 1, 1]);
        var caffe = ImagePreprocess.Caffe(px).ToArray<float>();
        Assert.That(caffe[0], Is.EqualTo(30 - 103.939f).Within(1e-4));
        Assert.That(caffe[1], Is.EqualTo(20 - 116.779f).Within(1e-4));
        Assert.That(caffe[2], Is.EqualTo(10 - 123.68f).Within(1e-4));
        var inet = ImagePreprocess.ImageNet(px).ToArray<float>();
        Assert.That(inet[0], Is.EqualTo((10 / 255.0 - 0.485) / 0.229).Within(1e-5));
        Assert.That(inet[2], Is.EqualTo((30 / 255.0 - 0.406) / 0.225).Within(1e-5));
    }

    [Test]
    public void StandardizedGridHasTheBookLayout()
    {
        var s = ImageGrid.Standardize([1.0, 2.0, 3.0, 4.0]);
        double std = Math.Sqrt(1.25);
        Assert.That(s[0], Is.EqualTo(Math.Clamp(-1.5 / (std + 1e-5) * 64 + 128, 0, 255)).Within(1e-9));
        Assert.That(s[3], Is.EqualTo(1.5 / (std + 1e-5) * 64 + 128).Within(1e-9));
        Assert.That(ImageGrid.Standardize([5.0, 5.0]), Is.EqualTo(new[] { 128.0, 128.0 }), "a constant channel is mid-grey, not NaN");
        using var act = Tensor.Rand([1, 20, 6, 5], generator: new Generator(2));
        using var grid = ImageGrid.Activations(act, perRow: 16, margin: 1);
        Assert.That(grid.Shape, Is.EqualTo(new[] { 2 * 6 + 1, 16 * 5 + 15 }));
        var v = grid.ToArray<float>();
        Assert.That(v.All(t => t >= 0 && t <= 255), Is.True);
        var tiles = Enumerable.Range(0, 3).Select(i => Tensor.Full([3, 4, 4], 10 * (i + 1))).ToList();
        using var tiled = ImageGrid.Tile(tiles, perRow: 2, margin: 5);
        Assert.That(tiled.Shape, Is.EqualTo(new[] { 3, 4 + 5 + 4, 4 + 5 + 4 }));
        var t3 = tiled.ToArray<float>();
        Assert.That(t3[0], Is.EqualTo(10f));
        Assert.That(t3[9], Is.EqualTo(20f), "second tile starts after a 5-px margin");
        Assert.That(t3[5], Is.EqualTo(0f), "margin");
        Assert.That(t3[9 * 13], Is.EqualTo(30f), "second row");
    }

    [Test]
    public void JetResizeAndOverlay()
    {
        Assert.That(Heatmap.Jet(0), Is.EqualTo((0.0, 0.0, 0.5)));
        Assert.That(Heatmap.Jet(0.5), Is.EqualTo((0.5, 1.0, 0.5)));
        Assert.That(Heatmap.Jet(1), Is.EqualTo((0.5, 0.0, 0.0)));
        using var m = Tensor.FromArray(new float[] { 0, 1, 2, 3 }, [2, 2]);
        var r = Heatmap.Resize(m, 4, 4).ToArray<float>();
        // cv2.resize(INTER_LINEAR) of [[0, 1], [2, 3]] to 4×4.
        float[] cv2 = [0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3];
        Assert.That(r, Is.EqualTo(cv2).Within(1e-6));
        using var img = Tensor.Full([1, 3, 2, 2], 200);
        using var heat = Tensor.FromArray(new float[] { 0, 0, 0, 1 }, [2, 2]);
        var o = Heatmap.Overlay(img, heat).ToArray<float>();
        Assert.That(o[0], Is.EqualTo(200f), "red of jet(0) is 0");
        Assert.That(o[8], Is.EqualTo(200 + 0.4f * 127.5f).Within(1e-3), "blue of jet(0) is 0.5");
        Assert.That(o[3], Is.EqualTo(200 + 0.4f * 127.5f).Within(1e-3), "red of jet(1) is 0.5");
        using var hot = Tensor.Full([1, 3, 1, 1], 250);
        Assert.That(Heatmap.Overlay(hot, Tensor.Full([1, 1], 0.5)).ToArray<float>()[1], Is.EqualTo(255f), "saturates at 255");
    }

    [Test]
    public void GradCamOnAGlobalPoolingNetIsCam()
    {
        var g = new Generator(4);
        var model = new Sequential(new Conv2d(2, 5, 3, padding: 1, generator: g), new ReLU(), new GlobalAvgPool2d(), new Linear(5, 3, generator: g));
        model.Eval();
        using var x = Tensor.Rand([1, 2, 6, 6], generator: g);
        var heat = new GradCam(model, layer: 1).Heatmap(x, classIndex: 2).ToArray<float>();
        Tensor a;
        using (Tensor.NoGrad()) a = model.Layers[1].Forward(model.Layers[0].Forward(x));
        var act = a.ToDoubleArray();
        var w = ((Linear)model.Layers[3]).Weight.ToDoubleArray();
        var cam = new double[36];
        for (int i = 0; i < 36; i++) { for (int k = 0; k < 5; k++) cam[i] += w[2 * 5 + k] * act[k * 36 + i]; cam[i] = Math.Max(0, cam[i]); }
        double max = cam.Max();
        Assert.That(max, Is.GreaterThan(0));
        for (int i = 0; i < 36; i++) Assert.That(heat[i], Is.EqualTo(cam[i] / max).Within(1e-5), $"cell {i}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradCam(model, layer: 1).Heatmap(x, classIndex: 3));
    }

    [Test]
    public void FilterPatternsRaiseTheActivationAndDeprocessToPixels()
    {
        var g = new Generator(5);
        var conv = new Conv2d(3, 4, 3, generator: g);
        foreach (var p in conv.Parameters()) p.RequiresGrad = false;
        var result = FilterPatterns.Generate(x => conv.Forward(x), [0, 1, 2, 3], 3, 12, 12, g, steps: 10);
        foreach (var l in result.Losses) Assert.That(l[^1], Is.GreaterThan(l[0]));
        Assert.That(result.Inputs.Shape, Is.EqualTo(new[] { 4, 3, 12, 12 }));
        var d = FilterPatterns.Deprocess(Engine.Functional.F.Narrow(result.Inputs, 0, 0, 1)).ToArray<float>();
        Assert.That(d.All(v => v >= 0 && v <= 255), Is.True);
        Assert.That(d.Average(), Is.EqualTo(127.5).Within(5));
    }
}
