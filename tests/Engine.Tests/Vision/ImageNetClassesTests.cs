using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Vision;

/// <summary>
/// The bundled ImageNet class names: 1000 in the standard order (the book's elephant photo's top three,
/// Keras's decode_predictions: 386 African_elephant, 101 tusker, 385 Indian_elephant), Keras-style short
/// names, and <see cref="ImageNetClasses.Decode"/> ordering.
/// </summary>
public class ImageNetClassesTests
{
    [Test]
    public void TheBooksElephantClassesAreWhereKerasHasThem()
    {
        Assert.That(ImageNetClasses.Name(0), Is.EqualTo("tench, Tinca tinca"));
        Assert.That(ImageNetClasses.Name(386), Is.EqualTo("African elephant, Loxodonta africana"));
        Assert.That(ImageNetClasses.ShortName(386), Is.EqualTo("African_elephant"));
        Assert.That(ImageNetClasses.ShortName(101), Is.EqualTo("tusker"));
        Assert.That(ImageNetClasses.ShortName(385), Is.EqualTo("Indian_elephant"));
        Assert.That(ImageNetClasses.Name(999), Is.EqualTo("toilet tissue, toilet paper, bathroom tissue"));
        Assert.That(Enumerable.Range(0, ImageNetClasses.Count).All(i => ImageNetClasses.Name(i).Length > 0), Is.True);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageNetClasses.Name(1000));
    }

    [Test]
    public void DecodeListsTheMostProbableFirst()
    {
        var p = new float[1000];
        p[386] = 0.90942115f; p[101] = 0.08618273f; p[385] = 0.004354583f; // the book's decode_predictions
        var top = ImageNetClasses.Decode(p, top: 3);
        Assert.That(top.Select(t => (t.Index, t.Name)), Is.EqualTo(new[] { (386, "African_elephant"), (101, "tusker"), (385, "Indian_elephant") }));
        Assert.That(top[0].Probability, Is.EqualTo(0.90942115).Within(1e-7));
        Assert.Throws<ArgumentException>(() => ImageNetClasses.Decode(new float[10]));
    }
}
