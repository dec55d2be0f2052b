using NUnit.Framework;

namespace Engine.Tests.Style;

/// <summary>
/// The SPEC checks of 23.1 and 23.2 (det: content loss on fixed tensors; Gram permutation and shape), and a
/// quick 23.3: three L-BFGS iterations on the ResNet18 at 48 pixels high whose loss falls every iteration.
/// </summary>
public class Ch23ExerciseTests
{
    [TestCase("23.1")]
    [TestCase("23.2")]
    public void ExerciseChecksPass(string id)
    {
        var ctx = TestRun.Exercise(id);
        TestRun.AssertAllChecksPass(ctx);
    }

    [Test]
    public void QuickStyleTransferLossFallsEveryIterationAndWritesThePictures()
    {
        var ctx = TestRun.Exercise("23.3");
        var check = ctx.Checks.Single(c => c.What == "loss falls every iteration");
        Assert.That(check.Pass, Is.True, check.Engine);
        for (int i = 0; i < 3; i++) Assert.That(File.Exists(Path.Combine(ctx.OutDir, $"iteration_{i:D2}.png")), Is.True, $"iteration_{i:D2}.png");
        var sideBySide = Path.Combine(ctx.OutDir, "content_style_result.png");
        Assert.That(new FileInfo(sideBySide).Length, Is.GreaterThan(1000));
        Assert.That(File.Exists(sideBySide + ".tmp"), Is.False);
    }

    [Test]
    public void DefaultWeightsAreTheBooksForVgg19AndRebalancedForResNet18()
    {
        Assert.That(Chapters.Ch23.Ex23_3_NeuralStyleTransfer.DefaultWeights("vgg19", 400, 600), Is.EqualTo((0.025, 1.0, 1e-4)));
        Assert.That(Chapters.Ch23.Ex23_3_NeuralStyleTransfer.DefaultWeights("resnet18", 416, 576), Is.EqualTo((0.025, 958464.0, 1e-6)));
        var ctx = TestRun.Exercise("23.3", true, ("iterations", "1"), ("maxfun", "2"), ("style-weight", "1"), ("tv-weight", "1e-4"));
        Assert.That(ctx.Checks.Single().Pass, Is.True);
        Assert.That(ctx.Out.ToString(), Does.Contain("weights: content 0.025, style 1, tv 0.0001;"));
    }

    [Test]
    public void StyleTransferOptionsAreChecked()
    {
        Assert.That(() => TestRun.Exercise("23.3", true, ("backbone", "vgg19")), Throws.ArgumentException.With.Message.Contains("vgg19"));
        Assert.That(() => TestRun.Exercise("23.3", true, ("style-norm", "odd")), Throws.ArgumentException.With.Message.Contains("style-norm"));
        Assert.That(() => TestRun.Exercise("23.3", true, ("content", "no-such-image")), Throws.InstanceOf<FileNotFoundException>().With.Message.Contains("make data"));
    }
}
