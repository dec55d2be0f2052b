using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Softmax(Tensor x, Tensor y)
    {
        if (IsF32(x, "Softmax")) RowsT<float>(x, y, log: false); else RowsT<double>(x, y, log: false);
    }

    /// <inheritdoc/>
    public void LogSoftmax(Tensor x, Tensor y)
    {
        if (IsF32(x, "LogSoftmax")) RowsT<float>(x, y, log: true); else RowsT<double>(x, y, log: true);
    }

    /// <summary>Softmax or log-softmax of each row of length C = last dimension.</summary>
    private static void RowsT<T>(Tensor x, Tensor y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        int c = x.Rank == 0 ? 1 : x.ShapeRef[^1];
        long rows = c == 0 ? 0 : x.Size / c;
        For(rows, (s, e) =>
        {
            for (int r = s; r < e; r++)
                SoftmaxRow(xs.AsSpan(r * c, c), ys.AsSpan(r * c, c), log);
        }, grain: Math.Max(1, ParallelThreshold / Math.Max(c, 1)));
    }

    /// <summary>One row: m = max x; e = exp(x − m); softmax = e / Σe, log-softmax = x − m − log Σe (SIMD).</summary>
    private static void SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = ReduceRow<T, MaxFn<T>>(x, T.NegativeInfinity);
        T sum = T.Zero;
        int j = 0, w = Vector<T>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var vmax = new Vector<T>(max);
            var vsum = Vector<T>.Zero;
            for (; j + w <= x.Length; j += w)
            {
                var e = VecExp(new Vector<T>(x[j..]) - vmax);
                e.CopyTo(y[j..]);
                vsum += e;
            }
            sum = Vector.Sum(vsum);
        }
        for (; j < x.Length; j++) { y[j] = T.Exp(x[j] - max); sum += y[j]; }
        if (log)
        {
            T logSum = T.Log(sum);
            MapScalar<T, SubFn<T>>(x, max, y, scalarFirst: false);
            MapScalar<T, SubFn<T>>(y, logSum, y, scalarFirst: false);
        }
        else MapScalar<T, DivFn<T>>(y, sum, y, scalarFirst: false);
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(Tensor logits, Tensor target, Tensor probs, Tensor loss)
    {
        if (IsF32(logits, "SoftmaxCrossEntropy")) SceT<float>(logits, target, probs, loss);
        else SceT<double>(logits, target, probs, loss);
    }

    private static void SceT<T>(Tensor logits, Tensor target, Tensor probs, Tensor loss) where T : unmanaged, IFloatingPointIeee754<T>
    {
        RowsT<T>(logits, probs, log: false);
        var p = probs.Span<T>();
        var l = loss.Span<T>();
        int n = logits.ShapeRef[0], c = logits.ShapeRef[1];
        T delta = T.CreateChecked(1e-7);
        if (target.DType.IsFloat())
        {
            var t = target.Span<T>();
            for (int i = 0; i < n; i++)
            {
                // A zero target adds −0·log(p + δ) = ∓0 (the log is finite), which leaves acc as it is: skip its log.
                T acc = T.Zero;
                for (int j = i * c; j < (i + 1) * c; j++)
                    if (t[j] != T.Zero) acc -= t[j] * T.Log(p[j] + delta);
                l[i] = acc;
            }
        }
        else
            for (int i = 0; i < n; i++) l[i] = -T.Log(p[i * c + Label(target, i, c)] + delta);
    }

    /// <summary>Integer label of row i, range-checked.</summary>
    private static int Label(Tensor target, int i, int classes)
    {
        long label = target.DType == DType.Int32 ? target.Span<int>()[i] : target.Span<long>()[i];
        if (label < 0 || label >= classes)
            throw new ArgumentOutOfRangeException(nameof(target), $"CrossEntropy: label {label} at row {i} is outside 0..{classes - 1}.");
        return (int)label;
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropyBackward(Tensor probs, Tensor target, double scale, Tensor dx)
    {
        if (IsF32(probs, "SoftmaxCrossEntropyBackward")) SceBackT<float>(probs, target, scale, dx);
        else SceBackT<double>(probs, target, scale, dx);
    }

    private static void SceBackT<T>(Tensor probs, Tensor target, double scale, Tensor dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = probs.Span<T>();
        var d = dx.Span<T>();
        int n = probs.ShapeRef[0], c = probs.ShapeRef[1];
        T s = T.CreateChecked(scale);
        if (target.DType.IsFloat())
        {
            Map<T, SubFn<T>>(p, target.Span<T>(), d);
            MapScalar<T, MulFn<T>>(d, s, d, scalarFirst: false);
        }
        else
        {
            MapScalar<T, MulFn<T>>(p, s, d, scalarFirst: false);
            for (int i = 0; i < n; i++) d[i * c + Label(target, i, c)] -= s;
        }
    }
}
