using System.Globalization;
using Engine;

namespace Chapters;

/// <summary>
/// Every --option the `chapters` app understands, checked before any command runs: an unknown name
/// or a value outside its range is one line naming the option and what it allows (exit 2).
/// </summary>
public static class CliOptions
{
    private const string Count = "N (a whole number ≥ 1)";

    /// <summary>The table, by name.</summary>
    public static IReadOnlyDictionary<string, CliOption> All { get; } = new CliOption[]
    {
        Flag("help", "print what this command does and its options, then stop"),
        Flag("quick", "the short schedules: fewer epochs/steps, same point"),
        Flag("require-gpu", "exit 3 instead of 0 when there is no GPU"),
        Flag("drop-last", "drop the last incomplete batch (DataLoader drop_last)"),
        new("device", "cpu|cuda|cuda:N|cpu-ref", "where tensors live (default cpu; cpu-ref: the CPU with every op on the plain reference backend CpuReference)", v => Devices.IsCpuReference(v) || IsDevice(v)),
        new("seed", "N (a whole number from 0 to 18446744073709551615)", "seed of the random generator (default 0)",
            v => ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _)),
        Whole("epochs", "epochs of training"),
        Whole("steps", "training steps"),
        Whole("iterations", "optimiser iterations"),
        Whole("batch", "batch size"),
        Whole("train", "training examples used"),
        Whole("test", "test examples used"),
        Whole("decay-every", "epochs between learning-rate decays"),
        Whole("c1", "channels of the first convolution"),
        Whole("c2", "channels of the second convolution"),
        Whole("repeat", "timed runs per round"),
        Whole("rounds", "rounds (engine and peers alternate)"),
        Whole("reps", "timed repetitions per op"),
        Whole("nproc", "processes (ranks) to start"),
        Whole("width", "hidden width of the benchmarked net"),
        Positive("lr", "learning rate"),
        Positive("bucket-mb", "DDP bucket size in MiB"),
        Positive("timeout", "seconds before a stuck collective fails the ranks"),
        OneOf("backend", "process-group backend (default mpi)", "mpi", "nccl"),
        OneOf("overlap", "overlap gradient all-reduce with backward (default true)", "true", "false"),
        OneOf("pin-memory", "pinned host memory for batches", "true", "false"),
        new("devices", "LIST (e.g. 0,1 or cpu,cpu)", "devices DataParallel replicates over", IsDeviceList),
        new("die-rank", "N (a whole number ≥ 0)", "failure drill: this rank stops", IsNatural),
        new("die-step", "N (a whole number ≥ 0)", "failure drill: before this step", IsNatural),
        OneOf("die-how", "failure drill: how the rank stops", "exit", "hang"),
        Text("out", "DIR", "folder for outputs (default out)"),
        Text("python", "PATH", "Python that runs the benchmark peers"),
        Text("mpirun", "PATH", "MPICH launcher (default mpirun.mpich on PATH)"),
        Text("filter", "TEXT", "only ops whose name contains TEXT"),
        Flag("values", "compare values only (no timings), e.g. under the host emulation"),
        Flag("oracles", "time the large gpu-check cases' CPU oracles here and check CpuBackend against CpuReference at those sizes"),
        Flag("full-epoch", "also time one whole epoch"),
        Flag("profile", "bench cnn: print the engine's per-op profile of the step instead of the PyTorch comparison"),
        new("port", "N (0 to 65535; 0 picks a free port)", "TCP port to listen on",
            v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535),
        Text("host", "ADDRESS", "address to listen on (default 127.0.0.1; any other accepts other machines)"),
        Text("model", "PATH", "model file (safetensors) to load"),
        Text("app", "DIR", "published web app folder (wwwroot) to serve"),
        Text("save", "PATH", "write the trained model to PATH (safetensors)"),
        Whole("digits", "test digits given a heatmap"),
        Whole("filters", "filters drawn per layer"),
        Whole("size", "side of the generated images in pixels"),
        Whole("height", "image height in pixels"),
        Whole("maxfun", "function evaluations per L-BFGS call"),
        Positive("content-weight", "weight of the content loss (default 0.025)"),
        Positive("style-weight", "weight of the style loss (default: vgg19 the book's 1, resnet18 4·H·W)"),
        Positive("tv-weight", "weight of the total-variation loss (default: vgg19 the book's 1e-4, resnet18 1e-6)"),
        OneOf("backbone", "network whose features are compared (default resnet18)", "resnet18", "vgg19"),
        Text("weights", "PATH", "Keras .h5 weights file (23.3: VGG19 notop; 22.3: VGG16 with the top)"),
        OneOf("style-norm", "style-loss normalisation: the book's constants or each layer's own C and H·W", "book", "layer"),
        Text("image", "PATH", "image to classify and explain (22.3 with --weights; default the cat photo)"),
        Text("content", "PATH", "content image (JPEG/PNG)"),
        Text("style", "PATH", "style image (JPEG/PNG)"),
        Text("data", "DIR", "data folder (default $ENGINE_DATA or data/)"),
        Text("batches", "LIST", "batch sizes, comma-separated (e.g. 1,8)"),
    }.ToDictionary(o => o.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when --<paramref name="name"/> is a flag (it never takes the next argument as its value).</summary>
    public static bool IsFlag(string name) => All.TryGetValue(name, out var o) && o.IsFlag;

    /// <summary>Throws an <see cref="ArgumentException"/> for the first unknown option or invalid value.</summary>
    public static void Validate(IReadOnlyDictionary<string, string> options)
    {
        foreach (var (name, value) in options)
        {
            if (!All.TryGetValue(name, out var o))
                throw new ArgumentException($"unknown option --{name}; known options: {string.Join(", ", All.Keys.Select(k => "--" + k))}.");
            if (o.IsFlag && value != "true")
                throw new ArgumentException($"--{name} is a flag and takes no value; got '{value}'.");
            if (!o.IsFlag && !o.IsValid(value))
                throw new ArgumentException($"--{name} must be {o.Values}; got '{value}'.");
        }
    }

    /// <summary>Options back into arguments for a child process: "--quick" for a flag, "--name value" otherwise.</summary>
    public static IEnumerable<string> ToArgs(IEnumerable<KeyValuePair<string, string>> options) =>
        options.SelectMany(o => IsFlag(o.Key) ? new[] { "--" + o.Key } : new[] { "--" + o.Key, o.Value });

    /// <summary>The help lines of these options: "  --epochs N (…)   epochs of training".</summary>
    public static IEnumerable<string> Describe(IEnumerable<string> names) =>
        names.Select(n => All[n]).Select(o => $"  {o.Syntax,-48} {o.Meaning}");

    private static CliOption Flag(string name, string meaning) => new(name, "", meaning, _ => true, IsFlag: true);

    private static CliOption Whole(string name, string meaning) => new(name, Count, meaning,
        v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i >= 1);

    private static CliOption Positive(string name, string meaning) => new(name, "X (a number > 0)", meaning,
        v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0 && double.IsFinite(d));

    private static CliOption OneOf(string name, string meaning, params string[] values) =>
        new(name, string.Join("|", values), meaning, v => values.Contains(v, StringComparer.OrdinalIgnoreCase));

    private static CliOption Text(string name, string values, string meaning) => new(name, values + " (not empty)", meaning, v => v.Trim().Length > 0);

    private static bool IsNatural(string v) => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static bool IsDevice(string v)
    {
        try { Device.Parse(v); return true; }
        catch (ArgumentException) { return false; }
    }

    private static bool IsDeviceList(string v)
    {
        var parts = v.Split(',', StringSplitOptions.TrimEntries);
        return parts.All(p => IsNatural(p) || (p.Length > 0 && IsDevice(p)));
    }
}
