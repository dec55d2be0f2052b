namespace Engine.IO.Onnx;

/// <summary>
/// The blocked layout's convs of one <see cref="OnnxModel"/> (<see cref="OnnxModel.BlockedLayout"/>): each Conv node's
/// filters are packed once (<see cref="Nchwc.PackedConv"/>) and packed again only when its weight or bias is another
/// tensor or has been written since (<see cref="Storage.Version"/>), as ONNX Runtime packs a session's weights once.
/// </summary>
internal sealed class BlockedConvs
{
    private sealed record Entry(Tensor W, int WVersion, Tensor? B, int BVersion, bool BlockedInput, Nchwc.PackedConv Packed);

    private readonly Dictionary<OnnxNode, Entry> _packed = [];

    /// <summary>
    /// The node's conv of x (blocked, or NCHW) with one stride, symmetric zero padding and dilation, + bias, + residual
    /// (then max(0, ·) with <paramref name="relu"/>) as a blocked image; null when the conv does not fit the blocked
    /// kernels (not float32 on the CPU, filters not a multiple of 16, a residual of another shape), for the NCHW path.
    /// </summary>
    public Tensor? Conv(OnnxNode node, Tensor x, Tensor w, Tensor? b, int stride, int pad, int dilation, Tensor? residual, bool relu)
    {
        if (!Fits(x) || !Fits(w) || w.Dim(0) % Nchwc.Block != 0 || w.Dim(2) * w.Dim(3) > Nchwc.MaxSliceTaps
            || (b is not null && (!Fits(b) || b.Size != w.Dim(0))) || (residual is not null && !Fits(residual))) return null;
        int[] yShape = [x.Dim(0), w.Dim(0), Nchwc.OutputSize(x.Dim(2), w.Dim(2), stride, pad, dilation), Nchwc.OutputSize(x.Dim(3), w.Dim(3), stride, pad, dilation)];
        if (yShape[2] <= 0 || yShape[3] <= 0) return null;
        if (residual is not null && !(Nchwc.IsBlocked(residual) ? Nchwc.LogicalShape(residual) : residual.Shape).AsSpan().SequenceEqual(yShape)) return null;
        bool blockedInput = Nchwc.IsBlocked(x) || x.Dim(1) % Nchwc.Block == 0;
        var packed = Packed(node, w, b, blockedInput);
        using var xb = blockedInput && !Nchwc.IsBlocked(x) ? Nchwc.ToBlocked(x) : null;
        using var rb = residual is not null && !Nchwc.IsBlocked(residual) ? Nchwc.ToBlocked(residual) : null;
        return Nchwc.Conv(xb ?? x, packed, stride, pad, dilation, rb ?? residual, relu);
    }

    /// <summary>A float32 CPU tensor: blocked, or of rank 4 (images and weights) or 1 (a bias).</summary>
    private static bool Fits(Tensor t) =>
        Nchwc.Available && t.DType == DType.Float32 && t.Storage is CpuStorage && (Nchwc.IsBlocked(t) || t.Rank is 4 or 1);

    private Nchwc.PackedConv Packed(OnnxNode node, Tensor w, Tensor? b, bool blockedInput)
    {
        lock (_packed)
        {
            if (_packed.TryGetValue(node, out var e) && ReferenceEquals(e.W, w) && e.WVersion == w.Storage.Version && ReferenceEquals(e.B, b)
                && e.BVersion == (b?.Storage.Version ?? 0) && e.BlockedInput == blockedInput) return e.Packed;
            var packed = new Nchwc.PackedConv(w, b, blockedInput);
            _packed[node] = new Entry(w, w.Storage.Version, b, b?.Storage.Version ?? 0, blockedInput, packed);
            return packed;
        }
    }
}
