using System.Reflection;

namespace Engine.Vision;

/// <summary>
/// The 1000 ImageNet (ILSVRC-2012) class names in the index order of Keras's and torchvision's ImageNet
/// models (386 = "African elephant, Loxodonta africana"), bundled from npm @tensorflow-models/mobilenet
/// 2.1.1 (imagenet_classes.txt, written by scripts/imagenet-classes.sh). <see cref="Decode"/> is Keras's
/// decode_predictions without the WordNet ids (which that list does not carry).
/// <code>
/// foreach (var (index, name, p) in ImageNetClasses.Decode(probs, top: 3)) Console.WriteLine($"{index} {name} {p:F4}");
/// </code>
/// </summary>
public static class ImageNetClasses
{
    /// <summary>Number of classes.</summary>
    public const int Count = 1000;

    private static readonly Lazy<string[]> Names = new(Read);

    /// <summary>All synonyms of class <paramref name="index"/>, comma-separated ("African elephant, Loxodonta africana").</summary>
    public static string Name(int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), index, $"ImageNet class index must be in [0, {Count}).");
        return Names.Value[index];
    }

    /// <summary>The first synonym with spaces as underscores, as Keras prints it ("African_elephant").</summary>
    public static string ShortName(int index) => Name(index).Split(',')[0].Trim().Replace(' ', '_');

    /// <summary>
    /// The <paramref name="top"/> classes of one image's 1000 <paramref name="probabilities"/>, most probable first:
    /// (index, short name, probability).
    /// </summary>
    public static IReadOnlyList<(int Index, string Name, double Probability)> Decode(IReadOnlyList<float> probabilities, int top = 5)
    {
        if (probabilities.Count != Count)
            throw new ArgumentException($"ImageNetClasses.Decode: expected {Count} class probabilities for one image, got {probabilities.Count}.", nameof(probabilities));
        return Enumerable.Range(0, Count).OrderByDescending(i => probabilities[i]).ThenBy(i => i).Take(top)
            .Select(i => (i, ShortName(i), (double)probabilities[i])).ToArray();
    }

    private static string[] Read()
    {
        const string resource = "Engine.Vision.imagenet_classes.txt";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"ImageNetClasses: the embedded resource {resource} is missing from the Engine assembly.");
        using var reader = new StreamReader(stream);
        var names = new string[Count];
        int seen = 0;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int tab = line.IndexOf('\t');
            if (tab < 0 || !int.TryParse(line.AsSpan(0, tab), System.Globalization.CultureInfo.InvariantCulture, out int i) || i < 0 || i >= Count || names[i] is not null)
                throw new InvalidDataException($"ImageNetClasses: bad line in {resource}: '{line}'.");
            names[i] = line[(tab + 1)..];
            seen++;
        }
        if (seen != Count) throw new InvalidDataException($"ImageNetClasses: {resource} has {seen} classes, expected {Count}.");
        return names;
    }
}
