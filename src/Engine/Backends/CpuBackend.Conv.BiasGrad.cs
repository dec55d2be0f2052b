using System.Buffers;
using System.Numerics;

namespace Engine;

// The conv's bias gradient on the CPU: db[f] = Σ over n, oh, ow of dy[n, f, oh, ow], in one pass over dy
// (where the op table would run three Sum reductions, each writing an intermediate tensor).
public sealed partial class CpuBackend
{
    /// <summary>
    /// db [F] = Σ_{n, p} dy[n, f, p] for dy [N, F, …] (NCHW; p runs over the positions after the channel axis).
    /// Each (image, channel) plane is summed a vector at a time (ReduceRow) (planes in parallel), then each channel adds its
    /// planes' sums in image order, so the result is the same on any number of threads.
    /// </summary>
    internal void ConvBiasGrad(Tensor dy, Tensor db) => Dispatch(dy, "Conv2d bias gradient", new ConvBiasGradCall(dy, db));

    private readonly record struct ConvBiasGradCall(Tensor Dy, Tensor Db) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => ConvBiasGradT<T>(Dy, Db);
    }

    private static void ConvBiasGradT<T>(Tensor dy, Tensor db) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = dy.ShapeRef;
        if (shape.Length < 2 || db.Size != shape[1])
            throw new ArgumentException($"Conv2d bias gradient: expected dy [N, F, …] and db [F], got dy {Tensor.ShapeString(dy.Shape)} and db {Tensor.ShapeString(db.Shape)}.");
        int n = shape[0], f = shape[1], p = (int)(Tensor.SizeOf(shape) / Math.Max(1L, (long)n * f));
        T[] gs = Data<T>(dy), ds = Data<T>(db);
        // sums[n·F + f] = Σ_p dy[n, f, p], planes in memory order shared out among the threads; then
        // db[f] = Σ_n sums[n·F + f] in image order.
        T[] sums = ArrayPool<T>.Shared.Rent(n * f);
        try
        {
            For((long)n * f, (s0, s1) =>
            {
                for (int plane = s0; plane < s1; plane++) sums[plane] = ReduceRow<T, AddFn<T>>(gs.AsSpan(plane * p, p), T.Zero);
            }, grain: Grain(p));
            for (int c = 0; c < f; c++)
            {
                T sum = T.Zero;
                for (int img = 0; img < n; img++) sum += sums[img * f + c];
                ds[c] = sum;
            }
        }
        finally { ArrayPool<T>.Shared.Return(sums); }
    }
}
