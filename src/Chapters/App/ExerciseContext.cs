using Engine;

namespace Chapters;

/// <summary>Settings and outputs of one exercise run.</summary>
public sealed class ExerciseContext
{
    /// <summary>Creates a context; the output folder is made on first use.</summary>
    public ExerciseContext(string id, Device device, bool quick, ulong seed, string outRoot, TextWriter output, IReadOnlyDictionary<string, string>? options = null)
    {
        Id = id;
        Device = device;
        Quick = quick;
        Seed = seed;
        OutDir = Path.Combine(outRoot, id);
        Out = output;
        Options = options ?? new Dictionary<string, string>();
    }

    /// <summary>Exercise id.</summary>
    public string Id { get; }

    /// <summary>--device.</summary>
    public Device Device { get; }

    /// <summary>--quick: a shorter schedule that still shows the point.</summary>
    public bool Quick { get; }

    /// <summary>--seed.</summary>
    public ulong Seed { get; }

    /// <summary>out/&lt;id&gt;/.</summary>
    public string OutDir { get; }

    /// <summary>Where the exercise prints.</summary>
    public TextWriter Out { get; }

    /// <summary>Other --name value options (e.g. --epochs 30).</summary>
    public IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>What the book printed vs what the engine printed.</summary>
    public List<Check> Checks { get; } = new();

    /// <summary>A generator seeded with --seed.</summary>
    public Generator NewGenerator() => new(Seed);

    /// <summary>An integer option, or its default when absent; a value that is not an integer is an error naming the option.</summary>
    public int Int(string name, int fallback)
    {
        if (!Options.TryGetValue(name, out var v)) return fallback;
        return int.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int i)
            ? i : throw new ArgumentException($"{Id}: --{name} must be a whole number; got '{v}'.");
    }

    /// <summary>A float option, or its default when absent; a value that is not a number is an error naming the option.</summary>
    public double Double(string name, double fallback)
    {
        if (!Options.TryGetValue(name, out var v)) return fallback;
        return double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)
            ? d : throw new ArgumentException($"{Id}: --{name} must be a finite number; got '{v}'.");
    }

    /// <summary>A path under OutDir (creating the folder).</summary>
    public string OutFile(string name)
    {
        Directory.CreateDirectory(OutDir);
        return Path.Combine(OutDir, name);
    }

    /// <summary>Prints a line.</summary>
    public void Print(string line) => Out.WriteLine(line);

    /// <summary>Records a check: exact match of printed text.</summary>
    public void Expect(string what, string book, string engine) => Checks.Add(new Check(what, book, engine, book == engine));

    /// <summary>Records a check with a pass condition.</summary>
    public void Expect(string what, string book, string engine, bool pass) => Checks.Add(new Check(what, book, engine, pass));

    /// <summary>
    /// Records a check that cannot fail on this machine (e.g. a GPU result compared with the CPU when the
    /// "GPU" is the CPU): listed as "skipped (<paramref name="reason"/>)", counted neither as passed nor failed.
    /// </summary>
    public void Skip(string what, string book, string reason) => Checks.Add(new Check(what, book, $"skipped ({reason})", true, Skipped: true));
}
