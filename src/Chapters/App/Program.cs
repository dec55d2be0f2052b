using Engine;
using Spectre.Console;

namespace Chapters
{
    /// <summary>`chapters list | run &lt;id&gt; | all | devices` (more commands arrive with later chapters).</summary>
    public static class Cli
    {
        public static int Main(string[] args) => Run(args);

        /// <summary>Runs a command line; returns the exit code.</summary>
        public static int Run(string[] args)
        {
            try
            {
                var (command, rest, options) = Parse(args);
                var verb = Command.All.FirstOrDefault(c => c.Name == command);
                return verb is null ? Fail(Usage) : verb.Run(rest, options);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or NotSupportedException)
            {
                return Fail(e.Message);
            }
        }

        private static string Usage => "usage:\n" + string.Join("\n", Command.All.Select(c => "  chapters " + c.Usage));

        internal static int Fail(string message)
        {
            Console.Error.WriteLine($"chapters: {message}");
            return 2;
        }

        /// <summary>Splits args into the command, positional arguments and --name value options (--quick is a flag).</summary>
        public static (string Command, List<string> Args, Dictionary<string, string> Options) Parse(string[] args)
        {
            var rest = new List<string>();
            var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    string name = args[i][2..];
                    bool flag = i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal);
                    options[name] = flag ? "true" : args[++i];
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
            var device = Device.Parse(options.GetValueOrDefault("device", "cpu"));
            if (device.Type == DeviceType.Cuda && DeviceRegistry.CudaDeviceCount == 0)
                throw new InvalidOperationException($"--device {device} was requested but no CUDA device is usable ({DeviceRegistry.CudaUnavailableReason}). Use --device cpu.");
            ulong seed = options.TryGetValue("seed", out var s) ? ulong.Parse(s) : 0;
            return new ExerciseContext(id, device, options.ContainsKey("quick"), seed, options.GetValueOrDefault("out", "out"), output, options);
        }

        internal static int RunOne(string id, Dictionary<string, string> options)
        {
            var exercise = ExerciseCatalog.Find(id);
            var ctx = Context(id, options, Console.Out);
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(exercise.Id)}[/] {Markup.Escape(exercise.Title)} [grey](device {ctx.Device}{(ctx.Quick ? ", quick" : "")})[/]");
            exercise.Run(ctx);
            WriteChecks([(exercise, ctx)]);
            return ctx.Checks.All(c => c.Pass) ? 0 : 1;
        }

        internal static int RunAll(Dictionary<string, string> options)
        {
            var results = new List<(Exercise, ExerciseContext)>();
            var failures = new List<string>();
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask("chapters all", maxValue: ExerciseCatalog.All.Count);
                    foreach (var exercise in ExerciseCatalog.All)
                    {
                        task.Description = $"{exercise.Id} {Markup.Escape(exercise.Title)}";
                        var log = new StringWriter();
                        var ctx = Context(exercise.Id, options, log);
                        try
                        {
                            exercise.Run(ctx);
                        }
                        catch (Exception e)
                        {
                            ctx.Expect("runs", "ok", e.GetType().Name + ": " + e.Message, false);
                        }
                        Directory.CreateDirectory(ctx.OutDir);
                        File.WriteAllText(Path.Combine(ctx.OutDir, "output.txt"), log.ToString());
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
