namespace Engine.Kernels.Checks;

internal static partial class OpCases
{
    private static IEnumerable<OpCase> Softmax(Sizes s)
    {
        foreach (var d in Floats)
        {
            foreach (var rc in s.Rows)
            {
                int rows = rc[0], c = rc[1];
                foreach (bool log in new[] { false, true })
                    yield return new OpCase
                    {
                        Name = $"{(log ? "LogSoftmax" : "Softmax")} {d.Name()} {Tensor.ShapeString(rc)}", Kernel = (log ? "log_softmax_" : "softmax_") + Sfx(d),
                        Kind = log ? OpKind.LogProbabilities : OpKind.Probabilities, DType = d,
                        Inputs = g => [NonZero(g, rc, d, 0.1, 4)],
                        Outputs = i => [Unwritten(i[0], rc)],
                        Execute = (b, i, o) => { if (log) b.LogSoftmax(i[0], o[0]); else b.Softmax(i[0], o[0]); },
                        Reference = x => [SoftmaxRef(x[0], rows, c, log)],
                    };
            }
            int nRows = s.Rows[0][0], classes = s.Rows[0][1];
            foreach (var target in new[] { "one-hot", "int32 labels", "int64 labels" })
            {
                var ld = target == "int32 labels" ? DType.Int32 : DType.Int64;
                bool oneHot = target == "one-hot";
                // δ = 1e-7: DLfS's log(p + δ) (chapter 24); δ = 0: the exact log-softmax (F.CrossEntropy).
                foreach (double delta in new[] { 1e-7, 0.0 })
                    yield return new OpCase
                    {
                        Name = $"SoftmaxCrossEntropy {d.Name()} [{nRows}, {classes}] {target} delta={delta}", Kernel = (oneHot ? "softmax_cross_entropy_" : "softmax_cross_entropy_index_") + Sfx(d),
                        Kind = OpKind.Reduction, DType = d,
                        Inputs = g =>
                        {
                            var logits = NonZero(g, [nRows, classes], d, 0.1, 4);
                            using var labels = Labels(g, nRows, classes, DType.Int32);
                            return [logits, oneHot ? labels.OneHot(classes, d) : Labels(g, nRows, classes, ld)];
                        },
                        Outputs = i => [Unwritten(i[0], [nRows, classes]), Unwritten(i[0], [nRows])],
                        Execute = (b, i, o) => b.SoftmaxCrossEntropy(i[0], i[1], o[0], o[1], delta),
                        Reference = x =>
                        {
                            var p = SoftmaxRef(x[0], nRows, classes, false);
                            var logP = SoftmaxRef(x[0], nRows, classes, true);
                            double dd = d == DType.Float32 ? (float)delta : delta;
                            double LogP(int k) => delta > 0 ? Math.Log(p[k] + dd) : logP[k];
                            var loss = new double[nRows];
                            for (int r = 0; r < nRows; r++)
                                loss[r] = oneHot
                                    ? -Enumerable.Range(0, classes).Sum(j => x[1][r * classes + j] * LogP(r * classes + j))
                                    : -LogP(r * classes + (int)x[1][r]);
                            return [p, loss];
                        },
                    };
                double scale = 1.0 / nRows;
                yield return new OpCase
                {
                    Name = $"SoftmaxCrossEntropyBackward {d.Name()} [{nRows}, {classes}] {target}",
                    Kernel = (oneHot ? "softmax_cross_entropy_backward_" : "softmax_cross_entropy_backward_index_") + Sfx(d),
                    Kind = OpKind.Elementwise, DType = d,
                    Inputs = g =>
                    {
                        using var logits = NonZero(g, [nRows, classes], d, 0.1, 4);
                        using var labels = Labels(g, nRows, classes, DType.Int32);
                        return [logits.Softmax().Detach(), oneHot ? labels.OneHot(classes, d) : Labels(g, nRows, classes, ld)];
                    },
                    Outputs = i => [Unwritten(i[0], [nRows, classes])],
                    Execute = (b, i, o) => b.SoftmaxCrossEntropyBackward(i[0], i[1], scale, o[0]),
                    Reference = x =>
                    {
                        double sc = d == DType.Float32 ? (float)scale : scale;
                        var dx = new double[nRows * classes];
                        for (int t = 0; t < dx.Length; t++)
                            dx[t] = oneHot ? (x[0][t] - x[1][t]) * sc : x[0][t] * sc - (x[1][t / classes] == t % classes ? sc : 0);
                        return [dx];
                    },
                };
            }
        }
    }

    internal static double[] SoftmaxRef(double[] x, int rows, int c, bool log)
    {
        var y = new double[rows * c];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < c; j++) max = Math.Max(max, x[r * c + j]);
            for (int j = 0; j < c; j++) sum += Math.Exp(x[r * c + j] - max);
            for (int j = 0; j < c; j++) y[r * c + j] = log ? x[r * c + j] - max - Math.Log(sum) : Math.Exp(x[r * c + j] - max) / sum;
        }
        return y;
    }
}
