using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <summary>Views x as [outer, n, inner] around <paramref name="axis"/> (<see cref="Engine.AxisView"/>, in int: a CPU array holds fewer than 2^31 elements).</summary>
    internal static (int Outer, int N, int Inner) AxisView(int[] shape, int axis)
    {
        var v = global::Engine.AxisView.Of(shape, axis);
        return (checked((int)v.Outer), (int)v.N, checked((int)v.Inner));
    }

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int axis, Tensor y)
        => Dispatch(x, "Reduce", new ReduceCall(op, x, axis, y));

    private readonly record struct ReduceCall(ReduceOp Op, Tensor X, int Axis, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => ReduceT<T>(Op, X, Axis, Y);
    }

    /// <summary>
    /// Viewing x as [outer, n, inner]: when inner = 1 (the last axis) each output is one contiguous
    /// row, reduced with SIMD lanes; otherwise the n rows of length inner of each outer block are
    /// combined elementwise with SIMD (axis 0 of a matrix: y = x[0] ⊕ x[1] ⊕ …), which walks memory in order.
    /// </summary>
    private static void ReduceT<T>(ReduceOp op, Tensor x, int axis, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = Data<T>(x);
        var ys = Data<T>(y);
        var (outer, n, inner) = AxisView(x.ShapeRef, axis);
        if (inner == 1)
        {
            For(outer, (s, e) =>
            {
                for (int o = s; o < e; o++)
                {
                    var row = xs.AsSpan(o * n, n);
                    ys[o] = op switch
                    {
                        ReduceOp.Max => ReduceRow<T, MaxFn<T>>(row, T.NegativeInfinity),
                        ReduceOp.Min => ReduceRow<T, MinFn<T>>(row, T.PositiveInfinity),
                        ReduceOp.Mean => ReduceRow<T, AddFn<T>>(row, T.Zero) / T.CreateChecked(n),
                        _ => ReduceRow<T, AddFn<T>>(row, T.Zero),
                    };
                }
            }, grain: Math.Max(1, ParallelThreshold / Math.Max(n, 1)));
            return;
        }
        if (n == 0)
        {
            // Reducing an empty axis: the identity of the op (NaN for a mean), as the reference loop gives.
            ys.AsSpan().Fill(op switch { ReduceOp.Max => T.NegativeInfinity, ReduceOp.Min => T.PositiveInfinity, ReduceOp.Mean => T.NaN, _ => T.Zero });
            return;
        }
        // Split each outer block's columns into chunks so that [1, n, inner] (axis 0) still runs on every core.
        int chunk = Math.Max(1, Math.Min(inner, Math.Max(4 * Vector<T>.Count, ParallelThreshold / n)));
        int chunks = (inner + chunk - 1) / chunk;
        For((long)outer * chunks, (s, e) =>
        {
            for (int task = s; task < e; task++)
            {
                int o = task / chunks, c0 = task % chunks * chunk, len = Math.Min(chunk, inner - c0);
                long block = (long)o * n * inner + c0;
                var acc = ys.AsSpan(o * inner + c0, len);
                xs.AsSpan((int)block, len).CopyTo(acc);
                for (int k = 1; k < n; k++)
                {
                    var next = xs.AsSpan((int)(block + (long)k * inner), len);
                    switch (op)
                    {
                        case ReduceOp.Max: Map<T, MaxFn<T>>(acc, next, acc); break;
                        case ReduceOp.Min: Map<T, MinFn<T>>(acc, next, acc); break;
                        default: Map<T, AddFn<T>>(acc, next, acc); break;
                    }
                }
                if (op == ReduceOp.Mean) MapScalar<T, DivFn<T>>(acc, T.CreateChecked(n), acc, scalarFirst: false);
            }
        }, grain: Math.Max(1, ParallelThreshold / (chunk * n)));
    }

    /// <summary>f-fold of one contiguous row: SIMD lanes first, then the lanes and the tail.</summary>
    private static T ReduceRow<T, F>(ReadOnlySpan<T> row, T init) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
    {
        int i = 0, w = Vector<T>.Count;
        T acc = init;
        if (Vector.IsHardwareAccelerated && row.Length >= 2 * w)
        {
            var v0 = new Vector<T>(row);
            var v1 = new Vector<T>(row[w..]);
            for (i = 2 * w; i + 2 * w <= row.Length; i += 2 * w)
            {
                v0 = F.Vector(v0, new Vector<T>(row[i..]));
                v1 = F.Vector(v1, new Vector<T>(row[(i + w)..]));
            }
            v0 = F.Vector(v0, v1);
            for (int j = 0; j < w; j++) acc = F.Scalar(acc, v0[j]);
        }
        for (; i < row.Length; i++) acc = F.Scalar(acc, row[i]);
        return acc;
    }

    /// <inheritdoc/>
    public void ArgMax(Tensor x, int axis, Tensor y)
        => Dispatch(x, "ArgMax", new ArgMaxCall(x, axis, y));

    private readonly record struct ArgMaxCall(Tensor X, int Axis, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => ArgMaxT<T>(X, Axis, Y);
    }

    /// <summary>
    /// Whether <paramref name="v"/> replaces <paramref name="best"/> in argmax and max pooling: it is larger, or
    /// it is NaN and best is not — so the first NaN, else the first largest value wins, as in PyTorch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Beats<T>(T v, T best) where T : IFloatingPointIeee754<T> => v > best || (T.IsNaN(v) && !T.IsNaN(best));

    private static void ArgMaxT<T>(Tensor x, int axis, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = y.Span<int>();
        var (outer, n, inner) = AxisView(x.ShapeRef, axis);
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                long b = (long)o * n * inner + i;
                int best = 0;
                for (int k = 1; k < n; k++)
                    if (Beats(xs[b + (long)k * inner], xs[b + (long)best * inner])) best = k;
                ys[o * inner + i] = best;
            }
    }

    /// <inheritdoc/>
    public void IndexSelect(Tensor x, Tensor index, Tensor y)
    {
        var idx = index.Span<int>();
        int row = (int)(x.Size / Math.Max(x.ShapeRef[0], 1));
        var xs = ((CpuStorage)x.Storage).Data;
        var ys = ((CpuStorage)y.Storage).Data;
        for (int i = 0; i < idx.Length; i++) Array.Copy(xs, (long)idx[i] * row, ys, (long)i * row, row);
    }

    /// <inheritdoc/>
    public void IndexAdd(Tensor x, Tensor index, Tensor y)
        => Dispatch(x, "IndexAdd", new IndexAddCall(x, index, y));

    private readonly record struct IndexAddCall(Tensor X, Tensor Index, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => IndexAddT<T>(X, Index, Y);
    }

    private static void IndexAddT<T>(Tensor x, Tensor index, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var idx = index.Span<int>();
        var xs = x.Span<T>();
        var ys = y.Span<T>();
        int row = (int)(y.Size / Math.Max(y.ShapeRef[0], 1));
        for (int i = 0; i < idx.Length; i++)
            for (int j = 0; j < row; j++) ys[idx[i] * row + j] += xs[i * row + j];
    }

    /// <inheritdoc/>
    public void OneHot(Tensor labels, Tensor y)
    {
        int n = labels.ShapeRef[0], c = y.ShapeRef[1];
        Fill(y, 0);
        for (int i = 0; i < n; i++)
        {
            long label = labels.DType == DType.Int32 ? labels.Span<int>()[i] : labels.Span<long>()[i];
            if (label < 0 || label >= c) throw new ArgumentOutOfRangeException(nameof(labels), $"OneHot: label {label} at row {i} is outside 0..{c - 1}.");
            if (y.DType == DType.Float32) y.Span<float>()[i * c + (int)label] = 1;
            else y.Span<double>()[i * c + (int)label] = 1;
        }
    }
}
