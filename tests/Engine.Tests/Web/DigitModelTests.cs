using Chapters.Serve;
using Engine.Data;
using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>The server's digit model: the 21.4.6 architecture, its saved file read back exactly, wrong files refused.</summary>
[TestFixture, Category("Web")]
public sealed class DigitModelTests
{
    [Test]
    public void BuildIsTheBook2146Convnet()
    {
        var model = DigitModel.Build();
        Assert.That(model.CountParams(), Is.EqualTo(5994));
        Assert.That(model.OutputShape, Is.EqualTo(new[] { 10 }));
    }

    [Test]
    public void SavedFileLoadsBackWithTheSamePredictions()
    {
        _ = ServeProcess.Shared; // trains and saves the model file when it is absent
        var model = DigitModel.Load(ServeProcess.ModelPath);
        string copy = Path.Combine(Path.GetTempPath(), $"digit-model-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(copy);
            var again = DigitModel.Load(copy);
            Assert.That(again.Description, Does.Contain("test accuracy"));
            var (_, test) = Mnist.Load(normalize: true, flatten: true);
            var image = test.Images.Rows(0, 1).ToArray<float>();
            Assert.That(again.Predict(image), Is.EqualTo(model.Predict(image)));
        }
        finally { File.Delete(copy); }
    }

    [Test]
    public void TheModelSavedBy2146LoadsIntoTheServer()
    {
        string path = Path.Combine(Path.GetTempPath(), $"ex2146-{Guid.NewGuid():N}.safetensors");
        try
        {
            TestRun.Exercise("21.4.6", quick: true, ("save", path), ("train", "2000"), ("test", "500"));
            var model = DigitModel.Load(path);
            Assert.That(model.Description, Does.Contain("5,994 parameters"));
            var (_, test) = Mnist.Load(normalize: true, flatten: true);
            var p = model.Predict(test.Images.Rows(0, 1).ToArray<float>());
            Assert.That(p, Has.Length.EqualTo(10));
            Assert.That(p.Sum(), Is.EqualTo(1).Within(1e-5));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void AModelOfOtherShapesIsRefused()
    {
        var line = new Sequential();
        line.Add(new Dense(units: 1, inputShape: [1]));
        string path = Path.Combine(Path.GetTempPath(), $"line-model-{Guid.NewGuid():N}.safetensors");
        try
        {
            line.Save(path);
            Assert.That(() => DigitModel.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("needs [28, 28, 1] → [10]"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void PredictNeeds784Pixels()
    {
        _ = ServeProcess.Shared; // the shared server trains and saves the model file when it is absent
        Assert.That(() => DigitModel.Load(ServeProcess.ModelPath).Predict(new float[10]), Throws.ArgumentException.With.Message.Contains("expected 784 pixels"));
    }
}
