using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <summary>Views x as [outer, n, inner] around <paramref name="axis"/>.</summary>
    internal static (int Outer, int N, int Inner) AxisView(int[] shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape.Length == 0 ? 1 : shape[axis], inner);
    }

    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int axis, Tensor y)
    {
        if (IsF32(x, "Reduce")) ReduceT<float>(op, x, axis, y); else ReduceT<double>(op, x, axis, y);
    }

    private static void ReduceT<T>(ReduceOp op, Tensor x, int axis, Tensor y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        var (outer, n, inner) = AxisView(x.ShapeRef, axis);
        For((long)outer * inner, (s, e) =>
        {
            for (int oi = s; oi < e; oi++)
            {
                int o = oi / inner, i = oi % inner;
                long b = (long)o * n * inner + i;
                T acc = op switch { ReduceOp.Max => T.NegativeInfinity, ReduceOp.Min => T.PositiveInfinity, _ => T.Zero };
                for (int k = 0; k < n; k++)
                {
                    T v = xs[b + (long)k * inner];
                    acc = op switch { ReduceOp.Max => T.Max(acc, v), ReduceOp.Min => T.Min(acc, v), _ => acc + v };
                }
                ys[oi] = op == ReduceOp.Mean ? acc / T.CreateChecked(n) : acc;
            }
        }, grain: Math.Max(1, ParallelThreshold / Math.Max(n, 1)));
    }

    /// <inheritdoc/>
    public void ArgMax(Tensor x, int axis, Tensor y)
    {
        if (IsF32(x, "ArgMax")) ArgMaxT<float>(x, axis, y); else ArgMaxT<double>(x, axis, y);
    }

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
                    if (xs[b + (long)k * inner] > xs[b + (long)best * inner]) best = k;
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
    {
        if (IsF32(x, "IndexAdd")) IndexAddT<float>(x, index, y); else IndexAddT<double>(x, index, y);
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

    /// <inheritdoc/>
    public void Permute(Tensor x, int[] perm, Tensor y)
    {
        int rank = perm.Length;
        int[] xs = x.ShapeRef, ysh = y.ShapeRef;
        var xStride = new long[rank];
        long st = 1;
        for (int d = rank - 1; d >= 0; d--) { xStride[d] = st; st *= xs[d]; }
        var src = ((CpuStorage)x.Storage).Data;
        var dst = ((CpuStorage)y.Storage).Data;
        // y index (i0..ir) reads x at Σ i_d · xStride[perm[d]].
        var step = perm.Select(p => xStride[p]).ToArray();
        switch (src)
        {
            case float[] f: PermuteT(f, (float[])dst, ysh, step); break;
            case double[] d: PermuteT(d, (double[])dst, ysh, step); break;
            case int[] i: PermuteT(i, (int[])dst, ysh, step); break;
            default: PermuteT((long[])src, (long[])dst, ysh, step); break;
        }
    }

    private static void PermuteT<T>(T[] src, T[] dst, int[] shape, long[] step)
    {
        int rank = shape.Length;
        var idx = new int[rank];
        long off = 0;
        for (long n = 0; n < dst.LongLength; n++)
        {
            dst[n] = src[off];
            for (int d = rank - 1; d >= 0; d--)
            {
                idx[d]++;
                off += step[d];
                if (idx[d] < shape[d]) break;
                off -= step[d] * idx[d];
                idx[d] = 0;
            }
        }
    }
}
