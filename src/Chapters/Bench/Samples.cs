namespace Chapters.Bench;

/// <summary>
/// The per-round results of a benchmark run: for each benchmark key, one number per round (that
/// round's best of its runs), in round order, so engine and peer numbers of the same round pair up.
/// </summary>
public sealed class Samples
{
    private readonly Dictionary<string, List<double>> _byKey = new();

    /// <summary>Appends this round's number for <paramref name="key"/>.</summary>
    public void Add(string key, double value)
    {
        if (!_byKey.TryGetValue(key, out var list)) _byKey[key] = list = new List<double>();
        list.Add(value);
    }

    /// <summary>The numbers of <paramref name="key"/> in round order (empty when none).</summary>
    public IReadOnlyList<double> Of(string key) => _byKey.TryGetValue(key, out var list) ? list : [];

    /// <summary>The best number: the highest when higher is better (GFLOP/s), else the lowest (ms); null when none.</summary>
    public double? Best(string key, bool higherBetter)
    {
        var v = Of(key);
        return v.Count == 0 ? null : higherBetter ? v.Max() : v.Min();
    }

    /// <summary>The median over rounds (mean of the middle two for an even count); null when none.</summary>
    public double? Median(string key)
    {
        var v = Of(key).Order().ToArray();
        if (v.Length == 0) return null;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>"best / median" formatted with <paramref name="format"/>, or "missing".</summary>
    public string Cell(string key, string format, bool higherBetter) =>
        Best(key, higherBetter) is double b && Median(key) is double m ? $"{b.ToString(format)} / {m.ToString(format)}" : "missing";

    /// <summary>
    /// engine ÷ peer of the best numbers, then in brackets the lowest and highest ratio of the rounds
    /// in which both were measured (round r's engine number ÷ round r's peer number); "—" without a peer.
    /// </summary>
    public static string Ratio(Samples engine, string engineKey, Samples peer, string peerKey, bool higherBetter)
    {
        if (engine.Best(engineKey, higherBetter) is not double e || peer.Best(peerKey, higherBetter) is not double p || p <= 0) return "—";
        var (ev, pv) = (engine.Of(engineKey), peer.Of(peerKey));
        var perRound = Enumerable.Range(0, Math.Min(ev.Count, pv.Count)).Select(r => ev[r] / pv[r]).ToArray();
        return $"{e / p:F2}× [{perRound.Min():F2}–{perRound.Max():F2}]";
    }
}
