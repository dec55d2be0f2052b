using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Vision;

/// <summary>
/// 22.3 with --weights: a VGG16 with the top and random weights written to a temporary .h5 runs the book's
/// setup (top class, Grad-CAM on block5_conv3, overlay PNG); a file that is not VGG16 with the top is a clear error.
/// </summary>
public class Vgg16GradCamTests
{
    [Test]
    public void RandomWeightVgg16GivesAHeatmapInRangeAndWritesTheOverlay()
    {
        string weights = Path.Combine(Path.GetTempPath(), $"engine-vgg16-{Guid.NewGuid():N}.h5");
        try
        {
            KerasH5.Save(Vgg.Vgg16(includeTop: true, seed: 11), weights);
            var ctx = TestRun.Exercise("22.3", true, ("weights", weights));
            var check = ctx.Checks.Single();
            Assert.That(check.What, Is.EqualTo("22.3 VGG16 block5_conv3 heatmap in [0, 1]"));
            Assert.That(check.Pass, Is.True, check.Engine);
            var png = Path.Combine(ctx.OutDir, "vgg16_gradcam.png");
            Assert.That(new FileInfo(png).Length, Is.GreaterThan(1000));
            Assert.That(File.Exists(png + ".tmp"), Is.False);
        }
        finally { File.Delete(weights); }
    }

    [Test]
    public void NotAVgg16WithTopFileIsAClearError()
    {
        string weights = Path.Combine(Path.GetTempPath(), $"engine-not-vgg16-{Guid.NewGuid():N}.h5");
        try
        {
            var m = new Sequential("small");
            m.Add(new InputLayer([32, 32, 3], name: "input_1"));
            m.Add(new Conv2D(4, 3, padding: "same", name: "block1_conv1"));
            KerasH5.Save(m, weights);
            Assert.That(() => TestRun.Exercise("22.3", true, ("weights", weights)),
                Throws.InstanceOf<InvalidDataException>().With.Message.Contains("not a VGG16 weights file with the top"));
        }
        finally { File.Delete(weights); }
        Assert.That(() => TestRun.Exercise("22.3", true, ("weights", weights)), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("vgg16"));
    }
}
