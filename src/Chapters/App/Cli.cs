using Engine;
using Spectre.Console;

namespace Chapters
{
    /// <summary>`chapters &lt;verb&gt; [args] [--options]`: list, run &lt;id&gt;, all, devices, bench, gpu-check, launch, help.</summary>
    public static class Cli
    {
        public static int Main(string[] args) => Run(args);

        /// <summary>
        /// Runs a command line; returns the exit code: 0 done, 1 a check or the work failed, 2 a usage
        /// error (unknown verb, id or option, a value out of range). Every error is one line on stderr;
        /// ENGINE_TRACE=1 adds the full exception.
        /// </summary>
        public static int Run(string[] args)
        {
            try
            {
                var (command, rest, options) = Parse(args);
                if (options.ContainsKey("help"))
                {
                    Console.WriteLine(args.All(a => a.StartsWith('-')) ? Overview : HelpFor(command, rest));
                    return 0;
                }
                CliOptions.Validate(options);
                var verb = Command.All.FirstOrDefault(c => c.Name == command);
                return verb is null ? Fail($"unknown verb '{command}'.\n{Overview}") : verb.Run(rest, options);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                return Fail(ExerciseFailure.OneLine(e, int.MaxValue)); // a usage error: all of its one line
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"chapters: {ExerciseFailure.OneLine(e)}");
                if (Environment.GetEnvironmentVariable("ENGINE_TRACE") == "1") Console.Error.WriteLine(e);
                return 1;
            }
        }

        /// <summary>Every verb with its usage line (`chapters --help`).</summary>
        internal static string Overview =>
            "usage: chapters <verb> [args] [--options]; `chapters <verb> --help` says more.\n" +
            string.Join("\n", Command.All.Select(c => $"  chapters {c.Usage}"));

        /// <summary>The --help text of a verb (and of its sub-verb: run &lt;id&gt;, bench &lt;suite&gt;).</summary>
        internal static string HelpFor(string verb, IReadOnlyList<string> args) =>
            (Command.All.FirstOrDefault(c => c.Name == verb) ?? throw new ArgumentException($"unknown verb '{verb}'.\n{Overview}")).Help(args);

        /// <summary>Prints "chapters: message" on stderr; returns 2 (a usage error).</summary>
        internal static int Fail(string message)
        {
            Console.Error.WriteLine($"chapters: {message}");
            return 2;
        }

        /// <summary>
        /// Splits args into the command, positional arguments and options: `--name value`, `--name=value`,
        /// flags (`--quick`, `--help`, see <see cref="CliOptions"/>) that take no value, and `-h` for --help.
        /// An option without a value gets "" (which validation reports).
        /// </summary>
        public static (string Command, List<string> Args, Dictionary<string, string> Options) Parse(string[] args)
        {
            var rest = new List<string>();
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "-h") options["help"] = "true";
                else if (args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Length > 2)
                {
                    string name = args[i][2..];
                    int eq = name.IndexOf('=');
                    if (eq > 0) options[name[..eq]] = name[(eq + 1)..];
                    else if (CliOptions.IsFlag(name)) options[name] = "true";
                    else options[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
                }
                else rest.Add(args[i]);
            }
            return (rest.Count > 0 ? rest[0] : "list", rest.Skip(1).ToList(), options);
        }

        internal static int List()
        {
            var table = new Table().AddColumn("id").AddColumn("exercise");
            foreach (var e in ExerciseCatalog.All) table.AddRow(e.Id, Markup.Escape(e.Title));
            AnsiConsole.Write(table);
            return 0;
        }

        /// <summary>Builds a context from the options.</summary>
        public static ExerciseContext Context(string id, Dictionary<string, string> options, TextWriter output)
        {
            var device = Devices.Parse(options.GetValueOrDefault("device", "cpu"));
            if (device.Type == DeviceType.Cuda && DeviceRegistry.CudaDeviceCount == 0)
                throw new InvalidOperationException($"--device {device} was requested but no CUDA device is usable ({DeviceRegistry.CudaUnavailableReason}). Use --device cpu.");
            ulong seed = options.TryGetValue("seed", out var s) ? ulong.Parse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture) : 0;
            return new ExerciseContext(id, device, options.ContainsKey("quick"), seed, options.GetValueOrDefault("out", "out"), output, options);
        }

        internal static int RunOne(string id, Dictionary<string, string> options)
        {
            var exercise = ExerciseCatalog.Find(id);
            var ctx = Context(id, options, Console.Out);
            using var backend = Devices.BackendScope(options);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(exercise.Id)}[/] {Markup.Escape(exercise.Title)} [grey](device {(Devices.IsCpuReference(options.GetValueOrDefault("device")) ? Devices.CpuReferenceName : ctx.Device)}{(ctx.Quick ? ", quick" : "")})[/]");
            if (!ExerciseFailure.Run(exercise, ctx))
            {
                Console.Error.WriteLine($"chapters: {exercise.Id} failed: {ctx.Checks[^1].Engine}");
                return 1;
            }
            WriteChecks([(exercise, ctx)]);
            return ctx.Checks.All(c => c.Pass) ? 0 : 1;
        }

        internal static int RunAll(Dictionary<string, string> options)
        {
            var contexts = ExerciseCatalog.All.Select(e => (Exercise: e, Log: new StringWriter())).ToList();
            var results = new List<(Exercise, ExerciseContext)>();
            _ = Context("all", options, TextWriter.Null); // the options' errors once, before anything runs
            using var backend = Devices.BackendScope(options);
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask("chapters all", maxValue: contexts.Count);
                    foreach (var (exercise, log) in contexts)
                    {
                        task.Description = $"{exercise.Id} {Markup.Escape(exercise.Title)}";
                        var ctx = Context(exercise.Id, options, log);
                        ExerciseFailure.Run(exercise, ctx);
                        File.WriteAllText(ctx.OutFile("output.txt"), log.ToString());
                        results.Add((exercise, ctx));
                        task.Increment(1);
                    }
                });
            WriteChecks(results);
            return results.All(r => r.Item2.Checks.All(c => c.Pass)) ? 0 : 1;
        }

        private static void WriteChecks(IEnumerable<(Exercise Exercise, ExerciseContext Ctx)> results)
        {
            var table = new Table().AddColumn("exercise").AddColumn("check").AddColumn("book").AddColumn("engine").AddColumn("");
            int pass = 0, fail = 0, skipped = 0;
            foreach (var (exercise, ctx) in results)
                foreach (var c in ctx.Checks)
                {
                    table.AddRow(exercise.Id, Markup.Escape(c.What), Markup.Escape(c.Book), Markup.Escape(c.Engine), c.Skipped ? "skipped" : c.Pass ? "[green]pass[/]" : "[red]FAIL[/]");
                    if (c.Skipped) skipped++; else if (c.Pass) pass++; else fail++;
                }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"{pass} checks passed, {fail} failed" + (skipped > 0 ? $", {skipped} skipped" : ""));
        }
    }
}
