using System.Buffers.Binary;
using NUnit.Framework;

namespace Engine.Tests.Reliability;

/// <summary>
/// Every reader of <see cref="FileReaders.All"/> on truncated, bit-flipped, oversized-header
/// and wrong-type files. Each read either succeeds or throws an I/O or data exception whose message names the
/// file; none hangs (10 s per read) and none allocates more than 64 MB + 32× the file size, so a lying header
/// cannot ask for gigabytes. Prints the counts.
/// </summary>
public class CorruptFileTests
{
    private const int Seed = 20261130;
    private static readonly TimeSpan PerRead = TimeSpan.FromSeconds(10);

    private enum Outcome { Loaded, ClearError, Other }

    private sealed record Case(string Kind, string What, Func<string, byte[]?> Write, bool MustFail);

    [Test]
    public void EveryReaderRefusesCorruptFilesClearly()
    {
        var counts = new Dictionary<(string Reader, string Kind, Outcome Outcome), int>();
        var failures = new List<string>();
        foreach (var reader in FileReaders.All)
        {
            byte[] valid = reader.Valid();
            Assert.That(Run(reader, _ => valid, out _), Is.EqualTo(Outcome.Loaded), $"{reader.Name}: the valid file must load");
            foreach (var c in Cases(reader, valid))
            {
                var outcome = Run(reader, c.Write, out string detail);
                var key = (reader.Name, c.Kind, outcome);
                counts[key] = counts.GetValueOrDefault(key) + 1;
                if (outcome == Outcome.Other || (c.MustFail && outcome == Outcome.Loaded))
                    failures.Add($"{reader.Name}, {c.Kind} ({c.What}): {(outcome == Outcome.Loaded ? "loaded but must be refused" : detail)}");
            }
        }
        Print(counts);
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
    }

    /// <summary>Truncations, bit flips, oversized headers and wrong types of one reader's valid file.</summary>
    private static IEnumerable<Case> Cases(FileReader reader, byte[] valid)
    {
        var rng = new Random(Seed ^ reader.Name.Length);
        var cuts = new SortedSet<int> { 0, 1, 2, 3, 4, 7, 8, 9, 12, 15, 16, 17, 24, valid.Length / 2, valid.Length - 1 };
        for (int i = 0; i < 12; i++) cuts.Add(rng.Next(valid.Length));
        foreach (int n in cuts.Where(n => n < valid.Length))
            yield return new("truncated", $"first {n} of {valid.Length} bytes", _ => valid[..n], reader.Strict || n < valid.Length / 2);

        for (int i = 0; i < 60; i++)
        {
            int bit = rng.Next(valid.Length * 8);
            yield return new("bit-flipped", $"bit {bit}", _ => Flip(valid, bit), false);
        }
        for (int i = 0; i < 20; i++)
        {
            int at = rng.Next(valid.Length);
            byte value = (byte)rng.Next(256);
            yield return new("bit-flipped", $"byte {at} := {value}", _ => With(valid, at, [value]), false);
        }

        // Length and dimension fields claiming the most they can: 32- and 64-bit, both byte orders, at each of the first 24 offsets.
        for (int at = 0; at < Math.Min(24, valid.Length - 4); at++)
        {
            int p = at;
            yield return new("oversized header", $"int32 0x7FFFFFFF big-endian at {p}", _ => With(valid, p, BigEndian(int.MaxValue)), false);
            yield return new("oversized header", $"int32 0x7FFFFFFF little-endian at {p}", _ => With(valid, p, BitConverter.GetBytes(int.MaxValue)), false);
            if (p + 8 <= valid.Length)
                yield return new("oversized header", $"uint64 max at {p}", _ => With(valid, p, BitConverter.GetBytes(ulong.MaxValue)), false);
        }
        yield return new("oversized header", "2 MB of junk appended", _ => [.. valid, .. Junk(2 << 20, 7)], reader.Strict);

        foreach (var other in FileReaders.All.Where(o => o.Format != reader.Format))
            yield return new("wrong type", $"a valid {other.Name} file", _ => other.Valid(), true);
        yield return new("wrong type", "an empty file", _ => [], true);
        yield return new("wrong type", "a PNG signature and junk", _ => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. Junk(500, 3)], true);
        yield return new("wrong type", "4 kB of random bytes", _ => Junk(4096, 11), true);
        yield return new("wrong type", "a line of text", _ => "hello, this is not a data file\n"u8.ToArray(), true);
        yield return new("wrong type", "a directory", path => { Directory.CreateDirectory(path); return null; }, true);
        yield return new("wrong type", "no file at all", _ => null, true);
    }

    /// <summary>Writes the file (null: leave the path as <paramref name="write"/> left it), reads it, classifies the result.</summary>
    private static Outcome Run(FileReader reader, Func<string, byte[]?> write, out string detail)
    {
        string dir = Path.Combine(Path.GetTempPath(), "engine-corrupt-" + Guid.NewGuid().ToString("N"));
        string path = Path.Combine(dir, reader.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var bytes = write(path);
            if (bytes is not null) File.WriteAllBytes(path, bytes);
            long budget = (64L << 20) + 32L * (bytes?.Length ?? 0);
            long allocated = 0;
            var task = Task.Run(() =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { reader.Read(dir, path); }
                finally { allocated = GC.GetAllocatedBytesForCurrentThread() - before; }
            });
            try
            {
                if (!task.Wait(PerRead)) { detail = $"no answer after {PerRead.TotalSeconds} s (hang)"; return Outcome.Other; }
            }
            catch (AggregateException ae)
            {
                var ex = ae.InnerException!;
                detail = $"{ex.GetType().Name}: {ex.Message}";
                if (allocated > budget) { detail = $"allocated {allocated} bytes before failing; " + detail; return Outcome.Other; }
                bool clearType = ex is InvalidDataException or IOException or ArgumentException;
                return clearType && ex.Message.Contains(path) ? Outcome.ClearError : Outcome.Other;
            }
            detail = allocated > budget ? $"allocated {allocated} bytes (budget {budget})" : "";
            return allocated > budget ? Outcome.Other : Outcome.Loaded;
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static void Print(Dictionary<(string Reader, string Kind, Outcome Outcome), int> counts)
    {
        int Sum(Func<(string Reader, string Kind, Outcome Outcome), bool> p) => counts.Where(kv => p(kv.Key)).Sum(kv => kv.Value);
        TestContext.Out.WriteLine($"R2 corrupt files (seed {Seed}): {Sum(_ => true)} reads of {FileReaders.All.Length} readers: " +
            $"{Sum(k => k.Outcome == Outcome.Loaded)} loaded, {Sum(k => k.Outcome == Outcome.ClearError)} clear errors naming the file, " +
            $"{Sum(k => k.Outcome == Outcome.Other)} other (bare exception, hang or over-allocation)");
        foreach (var reader in FileReaders.All)
            foreach (var kind in new[] { "truncated", "bit-flipped", "oversized header", "wrong type" })
                TestContext.Out.WriteLine($"  {reader.Name,-38} {kind,-17} loaded {Sum(k => k == (reader.Name, kind, Outcome.Loaded)),3}  " +
                    $"clear error {Sum(k => k == (reader.Name, kind, Outcome.ClearError)),3}  other {Sum(k => k == (reader.Name, kind, Outcome.Other)),3}");
    }

    private static byte[] Flip(byte[] b, int bit)
    {
        var c = (byte[])b.Clone();
        c[bit / 8] ^= (byte)(1 << (bit % 8));
        return c;
    }

    private static byte[] With(byte[] b, int at, byte[] value)
    {
        var c = (byte[])b.Clone();
        value.AsSpan(0, Math.Min(value.Length, c.Length - at)).CopyTo(c.AsSpan(at));
        return c;
    }

    private static byte[] BigEndian(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, v);
        return b;
    }

    private static byte[] Junk(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
