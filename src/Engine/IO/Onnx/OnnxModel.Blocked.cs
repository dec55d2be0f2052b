namespace Engine.IO.Onnx;

// The executor's side of the blocked layout: which node inputs may stay blocked, and turning a blocked value back into
// NCHW for the nodes that need it and for the values handed back to the caller.
public sealed partial class OnnxModel
{
    /// <summary>
    /// Whether CPU inference (no graph recorded, float32, a CPU with AVX-512) runs its images in the blocked layout of
    /// <see cref="Nchwc"/>, as ONNX Runtime's NCHWc kernels do: Conv (16k filters), MaxPool, AveragePool,
    /// GlobalAveragePool, BatchNormalization (eval), Relu and Add then pass blocked images from node to node, and every
    /// value handed back is NCHW.
    /// The sums run in another order than on the NCHW path, so the last bits differ. Default true.
    /// </summary>
    public bool BlockedLayout { get; set; } = true;

    private readonly BlockedConvs _blockedConvs = new();

    /// <summary>The blocked convs when this run uses the blocked layout, else null.</summary>
    private BlockedConvs? BlockedFor(bool recording) => !recording && BlockedLayout && Nchwc.Available ? _blockedConvs : null;

    /// <summary>The node's arguments with each blocked image the node cannot take unblocked (in <paramref name="values"/> too).</summary>
    private static Tensor?[] BlockedArgs(OnnxNode node, Tensor?[] args, Dictionary<string, Tensor> values)
    {
        bool sameBlocked = args.Length == 2 && args[0] is { } a && args[1] is { } b && Nchwc.IsBlocked(a) && Nchwc.IsBlocked(b) && a.Shape.AsSpan().SequenceEqual(b.Shape);
        Dictionary<Tensor, Tensor>? done = null; // blocked values unblocked so far, for an input read twice
        for (int k = 0; k < args.Length; k++)
        {
            if (args[k] is not { } t || !Nchwc.IsBlocked(t)) continue;
            bool takes = node.OpType switch
            {
                "Conv" or "MaxPool" or "AveragePool" or "GlobalAveragePool" or "Relu" or "BatchNormalization" => k == 0,
                "Add" => sameBlocked,
                _ => false,
            };
            if (takes) continue;
            done ??= new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
            args[k] = done.TryGetValue(t, out var u) ? u : done[t] = Unblocked(t, values);
        }
        return args;
    }

    /// <summary>A Relu's or Add's result on blocked images is a blocked image too.</summary>
    private static void MarkBlockedResult(OnnxNode node, Tensor?[] args, Tensor[] results)
    {
        if (node.OpType is "Relu" or "Add" && results.Length == 1 && args.Length > 0 && args.All(a => a is not null && Nchwc.IsBlocked(a)))
            Nchwc.MarkBlocked(results[0]);
    }

    /// <summary>t (blocked) in NCHW: every name holding t now holds the NCHW tensor, and t is freed.</summary>
    private static Tensor Unblocked(Tensor t, Dictionary<string, Tensor> values)
    {
        var u = Nchwc.Unblock(t);
        foreach (var name in values.Where(kv => ReferenceEquals(kv.Value, t)).Select(kv => kv.Key).ToList()) values[name] = u;
        t.Dispose();
        return u;
    }
}
