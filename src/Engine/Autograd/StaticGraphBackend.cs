namespace Engine;

/// <summary>
/// The recorder behind <see cref="StaticGraph.Trace(Func{Tensor[]})"/>: an <see cref="IBackend"/> that
/// runs each call on the real backend and appends it to the graph, bound to graph-held aliases of its
/// buffers, with the buffers it reads and writes. Host reads (CopyToHost) and Synchronize are not recorded.
/// </summary>
internal sealed class StaticGraphBackend(StaticGraph graph, IBackend inner) : IBackend
{
    public Device Device => inner.Device;

    private Tensor A(Tensor t) => graph.Alias(t);

    private void Rec(string name, Tensor[] reads, Tensor[] writes, Action run) =>
        graph.Add(new StaticGraphOp(name, reads.Select(t => t.Storage).ToArray(), writes.Select(t => t.Storage).ToArray(), run));

    // ---- memory ---------------------------------------------------------------------------

    public Storage Allocate(DType dtype, long length)
    {
        var s = inner.Allocate(dtype, length);
        var flat = graph.Alias(s);
        graph.Add(new StaticGraphOp("Zero", [], [s], () => inner.Fill(flat, 0), isZeroInit: true));
        return s;
    }

    public void CopyFromHost(Array src, Tensor dst)
    {
        inner.CopyFromHost(src, dst);
        var d = A(dst);
        Rec("CopyFromHost", [], [d], () => inner.CopyFromHost(src, d));
    }

    public void CopyToHost(Tensor src, Array dst) => inner.CopyToHost(src, dst);

    public void Synchronize() => inner.Synchronize();

    // ---- fill, copy, cast -----------------------------------------------------------------

    public void Fill(Tensor t, double value)
    {
        inner.Fill(t, value);
        var a = A(t);
        Rec("Fill", [], [a], () => inner.Fill(a, value));
    }

    public void Copy(Tensor src, Tensor dst)
    {
        inner.Copy(src, dst);
        var (s, d) = (A(src), A(dst));
        Rec("Copy", [s], [d], () => inner.Copy(s, d));
    }

    public void Cast(Tensor src, Tensor dst)
    {
        inner.Cast(src, dst);
        var (s, d) = (A(src), A(dst));
        Rec("Cast", [s], [d], () => inner.Cast(s, d));
    }

    // ---- elementwise ----------------------------------------------------------------------

    public void Unary(UnaryOp op, Tensor x, Tensor y)
    {
        inner.Unary(op, x, y);
        var (a, b) = (A(x), A(y));
        Rec("Unary." + op, [a], [b], () => inner.Unary(op, a, b));
    }

    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        inner.Binary(op, a, b, y);
        var (p, q, r) = (A(a), A(b), A(y));
        Rec("Binary." + op, [p, q], [r], () => inner.Binary(op, p, q, r));
    }

    public void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false)
    {
        inner.BinaryScalar(op, a, s, y, scalarFirst);
        var (p, r) = (A(a), A(y));
        Rec("BinaryScalar." + op, [p], [r], () => inner.BinaryScalar(op, p, s, r, scalarFirst));
    }

    public void ReluBackward(Tensor x, Tensor dy, Tensor dx)
    {
        inner.ReluBackward(x, dy, dx);
        var (a, b, c) = (A(x), A(dy), A(dx));
        Rec("ReluBackward", [a, b], [c], () => inner.ReluBackward(a, b, c));
    }

    public void SigmoidBackward(Tensor y, Tensor dy, Tensor dx)
    {
        inner.SigmoidBackward(y, dy, dx);
        var (a, b, c) = (A(y), A(dy), A(dx));
        Rec("SigmoidBackward", [a, b], [c], () => inner.SigmoidBackward(a, b, c));
    }

    public void TanhBackward(Tensor y, Tensor dy, Tensor dx)
    {
        inner.TanhBackward(y, dy, dx);
        var (a, b, c) = (A(y), A(dy), A(dx));
        Rec("TanhBackward", [a, b], [c], () => inner.TanhBackward(a, b, c));
    }

    public void Dropout(Tensor x, Tensor mask, double scale, Tensor y)
    {
        inner.Dropout(x, mask, scale, y);
        var (a, m, c) = (A(x), A(mask), A(y));
        Rec("Dropout", [a, m], [c], () => inner.Dropout(a, m, scale, c));
    }

    // ---- reductions and indexing ------------------------------------------------------------

    public void Reduce(ReduceOp op, Tensor x, int axis, Tensor y)
    {
        inner.Reduce(op, x, axis, y);
        var (a, b) = (A(x), A(y));
        Rec("Reduce." + op, [a], [b], () => inner.Reduce(op, a, axis, b));
    }

    public void ArgMax(Tensor x, int axis, Tensor y)
    {
        inner.ArgMax(x, axis, y);
        var (a, b) = (A(x), A(y));
        Rec("ArgMax", [a], [b], () => inner.ArgMax(a, axis, b));
    }

    public void IndexSelect(Tensor x, Tensor index, Tensor y)
    {
        inner.IndexSelect(x, index, y);
        var (a, i, b) = (A(x), A(index), A(y));
        Rec("IndexSelect", [a, i], [b], () => inner.IndexSelect(a, i, b));
    }

    public void IndexAdd(Tensor x, Tensor index, Tensor y)
    {
        inner.IndexAdd(x, index, y);
        var (a, i, b) = (A(x), A(index), A(y));
        Rec("IndexAdd", [a, i, b], [b], () => inner.IndexAdd(a, i, b));
    }

    public void OneHot(Tensor labels, Tensor y)
    {
        inner.OneHot(labels, y);
        var (a, b) = (A(labels), A(y));
        Rec("OneHot", [a], [b], () => inner.OneHot(a, b));
    }

    public void Permute(Tensor x, int[] perm, Tensor y)
    {
        inner.Permute(x, perm, y);
        var (a, b, p) = (A(x), A(y), (int[])perm.Clone());
        Rec("Permute", [a], [b], () => inner.Permute(a, p, b));
    }

    // ---- linear algebra -----------------------------------------------------------------------

    public void MatMul(Tensor a, Tensor b, Tensor c, bool transA = false, bool transB = false, double alpha = 1, double beta = 0)
    {
        inner.MatMul(a, b, c, transA, transB, alpha, beta);
        var (p, q, r) = (A(a), A(b), A(c));
        Rec("MatMul", beta == 0 ? [p, q] : [p, q, r], [r], () => inner.MatMul(p, q, r, transA, transB, alpha, beta));
    }

    // ---- softmax and losses -------------------------------------------------------------------

    public void Softmax(Tensor x, Tensor y)
    {
        inner.Softmax(x, y);
        var (a, b) = (A(x), A(y));
        Rec("Softmax", [a], [b], () => inner.Softmax(a, b));
    }

    public void LogSoftmax(Tensor x, Tensor y)
    {
        inner.LogSoftmax(x, y);
        var (a, b) = (A(x), A(y));
        Rec("LogSoftmax", [a], [b], () => inner.LogSoftmax(a, b));
    }

    public void SoftmaxCrossEntropy(Tensor logits, Tensor target, Tensor probs, Tensor loss, double delta)
    {
        inner.SoftmaxCrossEntropy(logits, target, probs, loss, delta);
        var (a, t, p, l) = (A(logits), A(target), A(probs), A(loss));
        Rec("SoftmaxCrossEntropy", [a, t], [p, l], () => inner.SoftmaxCrossEntropy(a, t, p, l, delta));
    }

    public void SoftmaxCrossEntropyBackward(Tensor probs, Tensor target, double scale, Tensor dx)
    {
        inner.SoftmaxCrossEntropyBackward(probs, target, scale, dx);
        var (p, t, d) = (A(probs), A(target), A(dx));
        Rec("SoftmaxCrossEntropyBackward", [p, t], [d], () => inner.SoftmaxCrossEntropyBackward(p, t, scale, d));
    }

    // ---- convolution and pooling (NCHW) -------------------------------------------------------

    public void Im2Col(Tensor x, int kh, int kw, int stride, int pad, Tensor cols)
    {
        inner.Im2Col(x, kh, kw, stride, pad, cols);
        var (a, c) = (A(x), A(cols));
        Rec("Im2Col", [a], [c], () => inner.Im2Col(a, kh, kw, stride, pad, c));
    }

    public void Col2Im(Tensor cols, int kh, int kw, int stride, int pad, Tensor dx)
    {
        inner.Col2Im(cols, kh, kw, stride, pad, dx);
        var (c, d) = (A(cols), A(dx));
        Rec("Col2Im", [c], [d], () => inner.Col2Im(c, kh, kw, stride, pad, d));
    }

    public void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax)
    {
        inner.MaxPool2d(x, kh, kw, stride, pad, y, argmax);
        var (a, b, m) = (A(x), A(y), A(argmax));
        Rec("MaxPool2d", [a], [b, m], () => inner.MaxPool2d(a, kh, kw, stride, pad, b, m));
    }

    public void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx)
    {
        inner.MaxPool2dBackward(dy, argmax, dx);
        var (a, m, d) = (A(dy), A(argmax), A(dx));
        Rec("MaxPool2dBackward", [a, m], [d], () => inner.MaxPool2dBackward(a, m, d));
    }

    public void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y)
    {
        inner.AvgPool2d(x, kh, kw, stride, pad, y);
        var (a, b) = (A(x), A(y));
        Rec("AvgPool2d", [a], [b], () => inner.AvgPool2d(a, kh, kw, stride, pad, b));
    }

    public void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx)
    {
        inner.AvgPool2dBackward(dy, kh, kw, stride, pad, dx);
        var (a, d) = (A(dy), A(dx));
        Rec("AvgPool2dBackward", [a], [d], () => inner.AvgPool2dBackward(a, kh, kw, stride, pad, d));
    }

    // ---- batch normalisation ------------------------------------------------------------------

    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd)
    {
        inner.BatchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps, y, saveMean, saveInvStd);
        var (a, g, b, rm, rv, o, sm, si) = (A(x), A(gamma), A(beta), A(runningMean), A(runningVar), A(y), A(saveMean), A(saveInvStd));
        Rec("BatchNorm", [a, g, b, rm, rv], [o, sm, si, rm, rv], () => inner.BatchNorm(a, g, b, rm, rv, training, momentum, eps, o, sm, si));
    }

    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dgamma, Tensor dbeta)
    {
        inner.BatchNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta);
        var (a, d, g, sm, si, ox, og, ob) = (A(x), A(dy), A(gamma), A(saveMean), A(saveInvStd), A(dx), A(dgamma), A(dbeta));
        Rec("BatchNormBackward", [a, d, g, sm, si], [ox, og, ob], () => inner.BatchNormBackward(a, d, g, sm, si, ox, og, ob));
    }

    // ---- style transfer ----------------------------------------------------------------------

    public void TotalVariation(Tensor x, Tensor loss)
    {
        inner.TotalVariation(x, loss);
        var (a, l) = (A(x), A(loss));
        Rec("TotalVariation", [a], [l], () => inner.TotalVariation(a, l));
    }

    public void TotalVariationBackward(Tensor x, Tensor dy, Tensor dx)
    {
        inner.TotalVariationBackward(x, dy, dx);
        var (a, g, d) = (A(x), A(dy), A(dx));
        Rec("TotalVariationBackward", [a, g], [d], () => inner.TotalVariationBackward(a, g, d));
    }

    // ---- fused optimiser updates ------------------------------------------------------------

    public void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay)
    {
        inner.SgdUpdate(param, grad, lr, weightDecay);
        var (p, g) = (A(param), A(grad));
        Rec("SgdUpdate", [p, g], [p], () => inner.SgdUpdate(p, g, lr, weightDecay));
    }

    public void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay)
    {
        inner.MomentumUpdate(param, grad, velocity, lr, momentum, nesterov, weightDecay);
        var (p, g, v) = (A(param), A(grad), A(velocity));
        Rec("MomentumUpdate", [p, g, v], [p, v], () => inner.MomentumUpdate(p, g, v, lr, momentum, nesterov, weightDecay));
    }

    public void AdaGradUpdate(Tensor param, Tensor grad, Tensor h, double lr, double eps)
    {
        inner.AdaGradUpdate(param, grad, h, lr, eps);
        var (p, g, s) = (A(param), A(grad), A(h));
        Rec("AdaGradUpdate", [p, g, s], [p, s], () => inner.AdaGradUpdate(p, g, s, lr, eps));
    }

    public void RmsPropUpdate(Tensor param, Tensor grad, Tensor h, double lr, double rho, double eps)
    {
        inner.RmsPropUpdate(param, grad, h, lr, rho, eps);
        var (p, g, s) = (A(param), A(grad), A(h));
        Rec("RmsPropUpdate", [p, g, s], [p, s], () => inner.RmsPropUpdate(p, g, s, lr, rho, eps));
    }

    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step)
    {
        inner.AdamUpdate(param, grad, m, v, lr, beta1, beta2, eps, step);
        var (p, g, mm, vv) = (A(param), A(grad), A(m), A(v));
        // The step counter lives on the host; each replay is the next step.
        int t = step - 1;
        Rec("AdamUpdate", [p, g, mm, vv], [p, mm, vv], () => inner.AdamUpdate(p, g, mm, vv, lr, beta1, beta2, eps, ++t));
    }
}
