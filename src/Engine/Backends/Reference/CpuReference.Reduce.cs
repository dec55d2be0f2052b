using System.Numerics;

namespace Engine;

// Reductions along one axis and row indexing. x is viewed as [outer, n, inner] around the axis.
public sealed partial class CpuReference
{
    /// <inheritdoc/>
    public void Reduce(ReduceOp op, Tensor x, int axis, Tensor y) => Dispatch(x, "Reduce", new ReduceCall(op, x, axis, y));

    /// <summary>
    /// y[o, i] = fold over k of x[o, k, i]: np.sum / np.mean / np.max / np.min(x, axis). Max and min propagate
    /// NaN (np.max); an empty axis gives the fold's identity (0, −∞, +∞) and NaN for the mean.
    /// </summary>
    private readonly record struct ReduceCall(ReduceOp Op, Tensor X, int Axis, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), y = Data<T>(Y);
            var (outer, n, inner) = AxisView(X.ShapeRef, Axis);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    T acc = Op switch { ReduceOp.Max => T.NegativeInfinity, ReduceOp.Min => T.PositiveInfinity, _ => T.Zero };
                    for (int k = 0; k < n; k++)
                    {
                        T v = x[((long)o * n + k) * inner + i];
                        acc = Op switch { ReduceOp.Max => T.Max(acc, v), ReduceOp.Min => T.Min(acc, v), _ => acc + v };
                    }
                    y[(long)o * inner + i] = Op == ReduceOp.Mean ? acc / T.CreateTruncating(n) : acc;
                }
        }
    }

    /// <inheritdoc/>
    public void ArgMax(Tensor x, int axis, Tensor y) => Dispatch(x, "ArgMax", new ArgMaxCall(x, axis, y));

    /// <summary>y[o, i] = np.argmax(x[o, :, i]): the first largest value, or the first NaN if there is one (PyTorch).</summary>
    private readonly record struct ArgMaxCall(Tensor X, int Axis, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X);
            int[] y = Data<int>(Y);
            var (outer, n, inner) = AxisView(X.ShapeRef, Axis);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int best = 0;
                    for (int k = 1; k < n; k++)
                        if (Beats(x[((long)o * n + k) * inner + i], x[((long)o * n + best) * inner + i])) best = k;
                    y[(long)o * inner + i] = best;
                }
        }
    }

    /// <summary>Whether v replaces best in an argmax: it is larger, or it is the first NaN.</summary>
    private static bool Beats<T>(T v, T best) where T : IFloatingPointIeee754<T> => v > best || (T.IsNaN(v) && !T.IsNaN(best));

    /// <inheritdoc/>
    public void IndexSelect(Tensor x, Tensor index, Tensor y)
    {
        // y[i, :] = x[index[i], :] (x[index] in NumPy), rows of length x.Size / x.Shape[0].
        var idx = Data<int>(index);
        long row = x.ShapeRef[0] == 0 ? 0 : x.Size / x.ShapeRef[0];
        Array xs = Data(x), ys = Data(y);
        for (int i = 0; i < idx.Length; i++)
        {
            if (idx[i] < 0 || idx[i] >= x.ShapeRef[0])
                throw new ArgumentOutOfRangeException(nameof(index), $"IndexSelect: index {idx[i]} at {i} is outside 0..{x.ShapeRef[0] - 1}.");
            Array.Copy(xs, idx[i] * row, ys, i * row, row);
        }
    }

    /// <inheritdoc/>
    public void IndexAdd(Tensor x, Tensor index, Tensor y) => Dispatch(x, "IndexAdd", new IndexAddCall(x, index, y));

    /// <summary>y[index[i], :] += x[i, :] (np.add.at(y, index, x)); y is not cleared.</summary>
    private readonly record struct IndexAddCall(Tensor X, Tensor Index, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] x = Data<T>(X), y = Data<T>(Y);
            int[] index = Data<int>(Index);
            int rows = Y.ShapeRef[0];
            long row = rows == 0 ? 0 : y.LongLength / rows;
            for (int i = 0; i < index.Length; i++)
            {
                if (index[i] < 0 || index[i] >= rows)
                    throw new ArgumentOutOfRangeException("index", $"IndexAdd: index {index[i]} at {i} is outside 0..{rows - 1}.");
                for (long j = 0; j < row; j++) y[index[i] * row + j] += x[i * row + j];
            }
        }
    }

    /// <inheritdoc/>
    public void OneHot(Tensor labels, Tensor y) => Dispatch(y, "OneHot", new OneHotCall(labels, y));

    /// <summary>y = np.eye(C)[labels]: y[i, labels[i]] = 1, every other entry 0.</summary>
    private readonly record struct OneHotCall(Tensor Labels, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : IFloatingPointIeee754<T>
        {
            T[] y = Data<T>(Y);
            int n = Labels.ShapeRef[0], c = Y.ShapeRef[1];
            for (long i = 0; i < y.LongLength; i++) y[i] = T.Zero;
            for (int i = 0; i < n; i++) y[(long)i * c + Label(Labels, i, c, "OneHot")] = T.One;
        }
    }
}
