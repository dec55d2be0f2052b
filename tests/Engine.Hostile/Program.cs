using Engine.Hostile;

// engine-hostile fuzz [--seed N] [--calls N] [--timeout-ms N]   random bad calls through the public API; prints the counts
//                                                              (--abort-at I: end the process abruptly at call I, as a native crash would)
// engine-hostile save-loop <path> [--elements N] [--start G]     saves checkpoints G+1, G+2, … over and over (for the kill -9 test)
var options = new Dictionary<string, string>();
var positional = new List<string>();
for (int i = 1; i < args.Length; i++)
{
    if (args[i].StartsWith("--") && i + 1 < args.Length) options[args[i][2..]] = args[++i];
    else positional.Add(args[i]);
}
long Option(string name, long fallback) => options.TryGetValue(name, out var v) ? long.Parse(v) : fallback;

switch (args.FirstOrDefault())
{
    case "fuzz":
        return Fuzzer.Run(seed: (int)Option("seed", 1), calls: (int)Option("calls", 10_000), timeoutMs: (int)Option("timeout-ms", 20_000),
            abortAt: (int)Option("abort-at", -1));
    case "save-loop" when positional.Count == 1:
        SaveLoop.Run(positional[0], (int)Option("elements", 1 << 20), Option("start", 0));
        return 0;
    default:
        Console.Error.WriteLine("usage: engine-hostile fuzz [--seed N] [--calls N] [--timeout-ms N] [--abort-at I] | save-loop <path> [--elements N] [--start G]");
        return 2;
}
