using System.Numerics;

namespace Engine;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Softmax(Tensor x, Tensor y)
        => Dispatch(x, "Softmax", new SoftmaxCall(x, y, Log: false));

    /// <inheritdoc/>
    public void LogSoftmax(Tensor x, Tensor y)
        => Dispatch(x, "LogSoftmax", new SoftmaxCall(x, y, Log: true));

    private readonly record struct SoftmaxCall(Tensor X, Tensor Y, bool Log) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => RowsT<T>(X, Y, Log);
    }

    /// <summary>
    /// Elements per parallel chunk of the softmax ops: an exponential costs some 20 times an add, so rows
    /// are shared out from 512 elements on (a [100, 10] batch of scores goes to two threads).
    /// </summary>
    private const int SoftmaxGrain = 512;

    /// <summary>Softmax or log-softmax of each row of length C = last dimension.</summary>
    private static void RowsT<T>(Tensor x, Tensor y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)x.Storage).Data;
        var ys = (T[])((CpuStorage)y.Storage).Data;
        int c = x.Rank == 0 ? 1 : x.ShapeRef[^1];
        long rows = c == 0 ? 0 : x.Size / c;
        For(rows, (s, e) => SoftmaxRows(xs, ys, c, s, e, log), grain: Math.Max(1, SoftmaxGrain / Math.Max(c, 1)));
    }

    /// <summary>Rows [r0, r1) of a [rows, c] array through <see cref="SoftmaxRow{T}"/>.</summary>
    private static void SoftmaxRows<T>(T[] xs, T[] ys, int c, int r0, int r1, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = r0; r < r1; r++)
            SoftmaxRow(xs.AsSpan(r * c, c), ys.AsSpan(r * c, c), log);
    }

    /// <summary>One row: m = max x; e = exp(x − m); softmax = e / Σe, log-softmax = x − m − log Σe (SIMD). Returns (m, Σe).</summary>
    private static (T Max, T Sum) SoftmaxRow<T>(ReadOnlySpan<T> x, Span<T> y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
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
        return (max, sum);
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropy(Tensor logits, Tensor target, Tensor probs, Tensor loss, double delta)
    {
        OpChecks.CheckLogGuard(delta);
        Dispatch(logits, "SoftmaxCrossEntropy", new SoftmaxCrossEntropyCall(logits, target, probs, loss, delta));
    }

    private readonly record struct SoftmaxCrossEntropyCall(Tensor Logits, Tensor Target, Tensor Probs, Tensor Loss, double Delta) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => SceT<T>(Logits, Target, Probs, Loss, Delta);
    }

    /// <summary>
    /// probs = softmax(logits) row by row, loss[i] = −Σ_j t[i, j]·log p[i, j] (one-hot or soft t) or
    /// −log p[i, label_i], where log p = log(probs + δ) for δ &gt; 0 (DLfS) and, for δ = 0, the exact
    /// log-softmax x − max − log Σ exp(x − max) (PyTorch); rows in parallel chunks, each row's softmax and loss together.
    /// </summary>
    private static void SceT<T>(Tensor logits, Tensor target, Tensor probs, Tensor loss, double delta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = (T[])((CpuStorage)logits.Storage).Data;
        var p = (T[])((CpuStorage)probs.Storage).Data;
        var l = (T[])((CpuStorage)loss.Storage).Data;
        int n = logits.ShapeRef[0], c = logits.ShapeRef[1];
        var t = target.DType.IsFloat() ? (T[])((CpuStorage)target.Storage).Data : null;
        var labels = t is null ? Enumerable.Range(0, n).Select(i => Label(target, i, c)).ToArray() : null;
        T d = T.CreateChecked(delta);
        bool exact = delta == 0;
        For(n, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                var (max, sum) = SoftmaxRow(xs.AsSpan(i * c, c), p.AsSpan(i * c, c), log: false);
                // log p of row i: x − max − log Σ exp(x − max) (exact) or log(probs + δ) (DLfS).
                T logSum = exact ? T.Log(sum) : T.Zero;
                T LogP(int j) => exact ? xs[j] - max - logSum : T.Log(p[j] + d);
                if (t is null) { l[i] = -LogP(i * c + labels![i]); continue; }
                // A zero target adds −0·log p = ∓0 (the log is finite), which leaves acc as it is: skip its log.
                T acc = T.Zero;
                for (int j = i * c; j < (i + 1) * c; j++)
                    if (t[j] != T.Zero) acc -= t[j] * LogP(j);
                l[i] = acc;
            }
        }, grain: Math.Max(1, SoftmaxGrain / Math.Max(c, 1)));
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
        => Dispatch(probs, "SoftmaxCrossEntropyBackward", new SoftmaxCrossEntropyBackwardCall(probs, target, scale, dx));

    private readonly record struct SoftmaxCrossEntropyBackwardCall(Tensor Probs, Tensor Target, double Scale, Tensor Dx) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => SceBackT<T>(Probs, Target, Scale, Dx);
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
