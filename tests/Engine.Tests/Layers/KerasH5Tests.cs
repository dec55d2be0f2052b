using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>
/// Keras .h5 weights: files written by h5py in Keras's two layouts (tests/fixtures/make_keras_h5.py) load
/// into layers-API models whose forward matches NumPy; files the engine writes are read back by h5py.
/// </summary>
public class KerasH5Tests
{
    private static Sequential Small(string conv = "conv2d_1", string dense = "dense_1")
    {
        var m = new Sequential();
        m.Add(new Conv2D(2, 3, activation: "relu", inputShape: [5, 5, 2], name: conv));
        m.Add(new MaxPooling2D((2, 2)));
        m.Add(new Flatten());
        m.Add(new Dense(3, activation: "softmax", name: dense));
        return m;
    }

    private static (Tensor X, double[] Y) Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(CallbackTests.Fixture("keras_h5.json")));
        var r = doc.RootElement;
        var x = r.GetProperty("x").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var shape = r.GetProperty("x_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return (Tensor.FromArray(x, shape), r.GetProperty("y").EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }

    [Test]
    public void WholeModelLayoutLoadsAndMatchesNumPy()
    {
        var m = Small();
        KerasH5.LoadWeights(m, CallbackTests.Fixture("keras_model.h5"));
        var (x, y) = Expected();
        Assert.That(m.Predict(x).ToDoubleArray(), Is.EqualTo(y).Within(1e-5));
    }

    [Test]
    public void WeightsFileLayoutLoadsByOrderWhenNamesDiffer()
    {
        var m = Small();
        KerasH5.LoadWeights(m, CallbackTests.Fixture("keras_weights.h5"));
        var (x, y) = Expected();
        Assert.That(m.Predict(x).ToDoubleArray(), Is.EqualTo(y).Within(1e-5));
        var named = Small("conv_a", "fc");
        KerasH5.LoadWeights(named, CallbackTests.Fixture("keras_weights.h5"));
        Assert.That(named.Predict(x).ToDoubleArray(), Is.EqualTo(y).Within(1e-5));
    }

    [Test]
    public void EngineWrittenFilesAreKerasLayoutForH5pyAndLoadBack()
    {
        var m = Small();
        KerasH5.LoadWeights(m, CallbackTests.Fixture("keras_model.h5"));
        string path = Path.Combine(Path.GetTempPath(), $"engine-keras-{Guid.NewGuid():N}.h5");
        KerasH5.Save(m, path);
        var fresh = Small();
        KerasH5.LoadWeights(fresh, path);
        var (x, y) = Expected();
        Assert.That(fresh.Predict(x).ToDoubleArray(), Is.EqualTo(y).Within(1e-5));

        var psi = new ProcessStartInfo("/usr/bin/python3", [CallbackTests.Fixture("read_keras_h5.py"), path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, stderr);
        var r = JsonDocument.Parse(stdout).RootElement;
        Assert.That(r.GetProperty("layer_names").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "conv2d_1", "max_pooling2d_1", "flatten_1", "dense_1" }));
        var w = r.GetProperty("weights");
        Assert.That(w.EnumerateObject().Select(o => o.Name), Is.EqualTo(new[] { "conv2d_1/kernel:0", "conv2d_1/bias:0", "dense_1/kernel:0", "dense_1/bias:0" }));
        Assert.That(w.GetProperty("conv2d_1/kernel:0").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 3, 3, 2, 2 }));
        Assert.That(w.GetProperty("conv2d_1/kernel:0").GetProperty("sum").GetDouble(), Is.EqualTo(m.GetLayer("conv2d_1").Weights[0].Value.Sum().Item()).Within(1e-5));
        Assert.That(r.GetProperty("model_config").GetString(), Does.Contain("\"class_name\":\"Sequential\""));
        File.Delete(path);
    }

    [Test]
    public void BadFilesGiveClearErrors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"engine-bad-{Guid.NewGuid():N}.h5");
        var bytes = File.ReadAllBytes(CallbackTests.Fixture("keras_model.h5"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        var ex = Assert.Throws<InvalidDataException>(() => KerasH5.LoadWeights(Small(), path));
        Assert.That(ex!.Message, Does.Contain(path));
        File.WriteAllText(path, "not an hdf5 file at all");
        Assert.That(Assert.Throws<InvalidDataException>(() => KerasH5.LoadWeights(Small(), path))!.Message, Does.Contain("could not be read"));
        File.Delete(path);
        Assert.Throws<FileNotFoundException>(() => KerasH5.LoadWeights(Small(), path));
        var wrong = new Sequential();
        wrong.Add(new Conv2D(4, 3, activation: "relu", inputShape: [5, 5, 2]));
        wrong.Add(new MaxPooling2D((2, 2)));
        wrong.Add(new Flatten());
        wrong.Add(new Dense(3, activation: "softmax"));
        var shape = Assert.Throws<InvalidDataException>(() => KerasH5.LoadWeights(wrong, CallbackTests.Fixture("keras_model.h5")));
        Assert.That(shape!.Message, Does.Contain("conv2d_1/kernel:0").And.Contain("[3, 3, 2, 2]").And.Contain("[3, 3, 2, 4]"));
        var fewer = new Sequential();
        fewer.Add(new Dense(3, inputShape: [4]));
        Assert.That(Assert.Throws<InvalidDataException>(() => KerasH5.LoadWeights(fewer, CallbackTests.Fixture("keras_weights.h5")))!.Message, Does.Contain("2 layers"));
    }

    [Test]
    public void Vgg19NoTopSummaryMatchesTheBook()
    {
        var m = Vgg.Vgg19(includeTop: false, kernelInitializer: new Zeros());
        string text = m.Summary(printFn: _ => { });
        Assert.That(text, Does.Contain("Total params: 20,024,384\nTrainable params: 20,024,384\nNon-trainable params: 0\n"));
        // The book's table (23.x) without its shape column, which shows (None, None, None, c) for an open input size.
        string[] book =
        [
            "input_1 (InputLayer) 0", "block1_conv1 (Conv2D) 1792", "block1_conv2 (Conv2D) 36928", "block1_pool (MaxPooling2D) 0",
            "block2_conv1 (Conv2D) 73856", "block2_conv2 (Conv2D) 147584", "block2_pool (MaxPooling2D) 0",
            "block3_conv1 (Conv2D) 295168", "block3_conv2 (Conv2D) 590080", "block3_conv3 (Conv2D) 590080", "block3_conv4 (Conv2D) 590080", "block3_pool (MaxPooling2D) 0",
            "block4_conv1 (Conv2D) 1180160", "block4_conv2 (Conv2D) 2359808", "block4_conv3 (Conv2D) 2359808", "block4_conv4 (Conv2D) 2359808", "block4_pool (MaxPooling2D) 0",
            "block5_conv1 (Conv2D) 2359808", "block5_conv2 (Conv2D) 2359808", "block5_conv3 (Conv2D) 2359808", "block5_conv4 (Conv2D) 2359808", "block5_pool (MaxPooling2D) 0",
        ];
        var rows = m.Layers.Select(l => $"{l.Name} ({l.ClassName}) {l.CountParams()}");
        Assert.That(rows, Is.EqualTo(book));
        Assert.That(text, Does.Contain("block5_pool (MaxPooling2D)   (None, 7, 7, 512)         0"));
    }

    [Test]
    public void Vgg16WithTopHasKerasTotal()
    {
        var m = Vgg.Vgg16(includeTop: true, kernelInitializer: new Zeros());
        string text = m.Summary(printFn: _ => { });
        Assert.That(text, Does.Contain("Total params: 138,357,544\n"));
        Assert.That(Regex.Matches(text, @"\(Conv2D\)").Count, Is.EqualTo(13));
        Assert.That(text, Does.Contain("fc1 (Dense)                  (None, 4096)              102764544"));
        Assert.That(Vgg.Vgg16(includeTop: false, kernelInitializer: new Zeros()).CountParams(), Is.EqualTo(14_714_688));
    }
}
