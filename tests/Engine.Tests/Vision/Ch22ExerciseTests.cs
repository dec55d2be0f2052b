using NUnit.Framework;

namespace Engine.Tests.Vision;

/// <summary>Exercises 22.1–22.3 in quick settings: every check passes and the pictures are written.</summary>
public class Ch22ExerciseTests
{
    private static readonly string Out = Path.Combine(Path.GetTempPath(), "engine-tests-out");

    /// <summary>Removes pictures of an earlier run so the counts below see only this one.</summary>
    private static void Clean(string id)
    {
        var dir = Path.Combine(Out, id);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    [Test]
    public void Activations221()
    {
        Clean("22.1");
        var ctx = TestRun.Exercise("22.1");
        TestRun.AssertAllChecksPass(ctx);
        Assert.That(ctx.Checks.Single(c => c.What.Contains("total params")).Engine, Is.EqualTo("3,453,121"));
        Assert.That(Directory.GetFiles(Path.Combine(Out, "22.1"), "resnet18_*.png"), Has.Length.EqualTo(8));
        Assert.That(Directory.GetFiles(Path.Combine(Out, "22.1"), "cnn_*.png"), Has.Length.EqualTo(6));
    }

    [Test]
    public void FilterPatterns222()
    {
        Clean("22.2");
        var ctx = TestRun.Exercise("22.2", true, ("filters", "8"), ("size", "48"));
        TestRun.AssertAllChecksPass(ctx);
        Assert.That(ctx.Checks.Count(c => c.What.Contains("rises for every filter")), Is.EqualTo(4), "two ResNet18 stages and two CNN layers");
        foreach (var f in new[] { "resnet18_conv1.png", "resnet18_layer1.png", "cnn_conv1.png", "cnn_conv2.png" })
            Assert.That(File.Exists(Path.Combine(Out, "22.2", f)), Is.True, f);
    }

    [Test]
    public void GradCam223()
    {
        Clean("22.3");
        var ctx = TestRun.Exercise("22.3", true, ("digits", "60"));
        TestRun.AssertAllChecksPass(ctx);
        Assert.That(ctx.Checks.Any(c => c.What.Contains("peak inside")), Is.True);
        foreach (var f in new[] { "cnn_gradcam_conv1.png", "cnn_gradcam_conv2.png", "resnet18_cat_gradcam.png" })
            Assert.That(File.Exists(Path.Combine(Out, "22.3", f)), Is.True, f);
    }
}
