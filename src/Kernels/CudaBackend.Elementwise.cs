using Engine.Kernels.Native;

namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void Fill(Tensor t, double value) => Run("Fill", [t], () =>
    {
        object v = t.DType switch { DType.Float32 => (float)value, DType.Float64 => value, DType.Int32 => (int)value, _ => (object)(long)value };
        Elementwise("fill_" + Sfx(t.DType), t.Size, P(t), v, t.Size);
    });

    /// <inheritdoc/>
    public void Copy(Tensor src, Tensor dst) => Run("Copy", [src, dst], () =>
    {
        long bytes = src.Size * src.DType.SizeOf();
        if (bytes > 0) CudaDriver.Check(CudaDriver.cuMemcpyDtoDAsync_v2(P(dst), P(src), (nuint)bytes, Stream.Pointer), $"cuMemcpyDtoDAsync({bytes} bytes)");
    });

    /// <inheritdoc/>
    public void Cast(Tensor src, Tensor dst)
    {
        if (src.DType == dst.DType) { Copy(src, dst); return; }
        Run("Cast", [src, dst], () => Elementwise($"cast_{Sfx(src.DType)}_{Sfx(dst.DType)}", src.Size, P(src), P(dst), src.Size));
    }

    /// <inheritdoc/>
    public void Unary(UnaryOp op, Tensor x, Tensor y) => Run("Unary." + op, [x, y], () =>
        Elementwise($"unary_{op.ToString().ToLowerInvariant()}_{F(x, "Unary")}", y.Size, P(x), P(y), y.Size));

    /// <inheritdoc/>
    public unsafe void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y) => Run("Binary." + op, [a, b, y], () =>
    {
        var bc = new BroadcastArgs();
        if (a.Size != y.Size || b.Size != y.Size)
        {
            int[] ys = y.ShapeRef;
            if (ys.Length > BroadcastArgs.MaxRank)
                throw new NotSupportedException($"Binary.{op}: broadcasting supports up to {BroadcastArgs.MaxRank} dimensions on CUDA, got shape {Tensor.ShapeString(ys)}.");
            long[] sa = BroadcastStrides.Of(a.ShapeRef, ys), sb = BroadcastStrides.Of(b.ShapeRef, ys);
            bc.Rank = ys.Length;
            for (int d = 0; d < ys.Length; d++)
            {
                bc.Shape[d] = ys[d];
                bc.Sa[d] = sa[d];
                bc.Sb[d] = sb[d];
            }
            if (ys.Length == 0) bc.Rank = 0;
        }
        Elementwise($"binary_{op.ToString().ToLowerInvariant()}_{F(a, "Binary")}", y.Size, P(a), P(b), P(y), y.Size, bc);
    });

    /// <inheritdoc/>
    public void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false) => Run("BinaryScalar." + op, [a, y], () =>
        Elementwise($"binary_scalar_{op.ToString().ToLowerInvariant()}_{F(a, "BinaryScalar")}", y.Size, P(a), S(a, s), P(y), y.Size, scalarFirst ? 1 : 0));

    /// <inheritdoc/>
    public void ReluBackward(Tensor x, Tensor dy, Tensor dx) => Run("ReluBackward", [x, dy, dx], () =>
        Elementwise("relu_backward_" + F(x, "ReluBackward"), x.Size, P(x), P(dy), P(dx), x.Size));

    /// <inheritdoc/>
    public void SigmoidBackward(Tensor y, Tensor dy, Tensor dx) => Run("SigmoidBackward", [y, dy, dx], () =>
        Elementwise("sigmoid_backward_" + F(y, "SigmoidBackward"), y.Size, P(y), P(dy), P(dx), y.Size));

    /// <inheritdoc/>
    public void TanhBackward(Tensor y, Tensor dy, Tensor dx) => Run("TanhBackward", [y, dy, dx], () =>
        Elementwise("tanh_backward_" + F(y, "TanhBackward"), y.Size, P(y), P(dy), P(dx), y.Size));

    /// <inheritdoc/>
    public void Dropout(Tensor x, Tensor mask, double scale, Tensor y) => Run("Dropout", [x, mask, y], () =>
        Elementwise("dropout_" + F(x, "Dropout"), x.Size, P(x), P(mask), S(x, scale), P(y), x.Size));

    /// <inheritdoc/>
    public unsafe void Permute(Tensor x, int[] perm, Tensor y) => Run("Permute", [x, y], () =>
    {
        int rank = perm.Length;
        if (rank > BroadcastArgs.MaxRank)
            throw new NotSupportedException($"Permute: up to {BroadcastArgs.MaxRank} dimensions on CUDA, got {rank}.");
        var xStride = new long[rank];
        long st = 1;
        for (int d = rank - 1; d >= 0; d--) { xStride[d] = st; st *= x.ShapeRef[d]; }
        var p = new PermutationArgs { Rank = rank };
        for (int d = 0; d < rank; d++)
        {
            p.Shape[d] = y.ShapeRef[d];
            p.Step[d] = xStride[perm[d]];
        }
        Elementwise("permute_" + Sfx(x.DType), y.Size, P(x), P(y), y.Size, p);
    });
}
