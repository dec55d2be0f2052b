using System.Diagnostics;

namespace Engine.Hostile;

/// <summary>
/// Seeded random calls through the public API (<see cref="FuzzOps.All"/>), each on a worker
/// thread with a deadline. Every call must either return a result that passes its check, or throw a managed
/// exception whose message names the op (or one it is built from). Prints "#i text" before each call, so a
/// native crash is pinned on its call by whoever reads the output, then the counts:
/// "fuzz: N calls, S succeeded, E errors named the op, O other". Exit code 0 when O is 0, 1 otherwise, 3 on a hang.
/// </summary>
public static class Fuzzer
{
    public static int Run(int seed, int calls, int timeoutMs, int abortAt = -1)
    {
        var rng = new Random(seed);
        var ops = FuzzOps.All;
        int ok = 0, named = 0;
        var other = new List<string>();
        var perOp = new Dictionary<string, int>();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++)
        {
            var op = ops[rng.Next(ops.Length)];
            int callSeed = rng.Next();
            perOp[op.Name] = perOp.GetValueOrDefault(op.Name) + 1;
            string? outcome = null;
            string text = op.Name;
            var task = Task.Run(() =>
            {
                using var scope = Tensor.Scope();
                var draw = new FuzzDraw(new Random(callSeed));
                FuzzCall call = op.Make(draw);
                text = call.Text;
                Console.Out.WriteLine($"#{i} {text}");
                if (i == abortAt) Environment.FailFast("engine-hostile: --abort-at, standing in for a native crash");
                object? result;
                try { result = call.Run(); }
                catch (Exception ex)
                {
                    outcome = op.Names.Any(n => ex.Message.Contains(n, StringComparison.Ordinal)) ? "named" : $"{ex.GetType().Name}: {ex.Message}";
                    return;
                }
                string? wrong;
                try { wrong = call.Check(result); }
                catch (Exception ex) { wrong = $"the check itself failed: {ex.GetType().Name}: {ex.Message}"; }
                outcome = wrong is null ? "ok" : "wrong result: " + wrong;
            });
            bool finished;
            try { finished = task.Wait(timeoutMs); }
            catch (AggregateException) { finished = true; }
            if (!finished)
            {
                Console.Out.WriteLine($"HANG #{i} {text}: no answer after {timeoutMs} ms");
                Console.Out.Flush();
                Environment.Exit(3);
            }
            if (task.IsFaulted) outcome = "the call's set-up failed: " + task.Exception!.InnerException;
            if (outcome == "ok") ok++;
            else if (outcome == "named") named++;
            else
            {
                other.Add($"#{i} {text} → {outcome}");
                Console.Out.WriteLine($"OTHER #{i} {text} → {outcome}");
            }
        }
        Console.Out.WriteLine($"fuzz: seed {seed}, {calls} calls over {ops.Length} ops in {sw.Elapsed.TotalSeconds:F1} s: " +
            $"{ok} succeeded with a correct result, {named} errors named the op, {other.Count} other (bare or unnamed errors, wrong results); 0 crashed, 0 hung");
        Console.Out.WriteLine("calls per op: " + string.Join(", ", perOp.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")));
        return other.Count == 0 ? 0 : 1;
    }
}
