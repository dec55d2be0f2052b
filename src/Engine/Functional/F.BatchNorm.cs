namespace Engine.Functional;

// Batch normalisation (torch.nn.functional.batch_norm) on the op table's BatchNorm/BatchNormBackward.
public static partial class F
{
    /// <summary>
    /// Batch normalisation (torch.nn.functional.batch_norm) of x [N, C], [N, C, L] or [N, C, H, W] per
    /// channel C. Training: normalise with the batch mean and biased variance over N and the spatial
    /// positions, and update <paramref name="runningMean"/>/<paramref name="runningVar"/> in place
    /// (r = (1−momentum)·r + momentum·batch, unbiased variance). Eval: normalise with the running stats.
    /// y = weight·x̂ + bias (weight 1 and bias 0 when null). Running stats may be null only in training.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        const string op = "BatchNorm";
        x.CheckFloat(op);
        if (x.Rank is < 2 or > 4)
            throw new ArgumentException($"{op}: expected input [N, C], [N, C, L] or [N, C, H, W], but got shape {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0), c = x.Dim(1);
        int s = (int)(x.Size / Math.Max(1L, (long)n * c));
        if (c == 0 || x.Size == 0)
            throw new ArgumentException($"{op}: the input {Tensor.ShapeString(x.Shape)} is empty.");
        foreach (var (t, what) in new[] { (runningMean, "running_mean"), (runningVar, "running_var"), (weight, "weight"), (bias, "bias") })
        {
            if (t is null) continue;
            Tensor.CheckSameKind(op, x, t);
            if (t.Rank != 1 || t.Dim(0) != c)
                throw new ArgumentException($"{op}: expected {what} of shape [{c}] for input {Tensor.ShapeString(x.Shape)} ({c} channels), but got {Tensor.ShapeString(t.Shape)}.");
        }
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"{op}: pass both running_mean and running_var, or neither.");
        if (!training && runningMean is null)
            throw new ArgumentException($"{op}: eval mode normalises with the running statistics, but none were given (pass running_mean and running_var, or training: true).");
        if (training && (long)n * s <= 1)
            throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input {Tensor.ShapeString(x.Shape)}.");
        if (eps <= 0 || !double.IsFinite(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), $"{op}: eps must be a positive number, got {eps}.");

        var be = x.Backend;
        var gamma = weight ?? Tensor.Full([c], 1, x.DType, x.Device);
        var beta = bias ?? Tensor.Zeros([c], x.DType, x.Device);
        var rm = runningMean ?? Tensor.Zeros([c], x.DType, x.Device);
        var rv = runningVar ?? Tensor.Full([c], 1, x.DType, x.Device);
        var saveMean = Alloc(x, [c]);
        var saveInvStd = Alloc(x, [c]);
        var y = Alloc(x, x.Shape);
        using (var x3 = ViewAs(x, [n, c, s]))
        using (var y3 = ViewAs(y, [n, c, s]))
            be.BatchNorm(x3, gamma, beta, rm, rv, training, momentum, eps, y3, saveMean, saveInvStd);
        if (runningMean is null) { rm.Dispose(); rv.Dispose(); }
        if (bias is null) beta.Dispose();

        var inputs = new List<Tensor> { x };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        if (!NeedsGrad([.. inputs]))
        {
            if (weight is null) gamma.Dispose();
            saveMean.Dispose();
            saveInvStd.Dispose();
            return y;
        }
        var xShape = x.Shape;
        return Autograd.Record(y, op, [.. inputs], g =>
        {
            var dx = Alloc(g, xShape);
            var dgamma = Alloc(g, [c]);
            var dbeta = Alloc(g, [c]);
            using (var x3 = ViewAs(x, [n, c, s]))
            using (var g3 = ViewAs(g, [n, c, s]))
            using (var dx3 = ViewAs(dx, [n, c, s]))
            {
                if (training) g.Backend.BatchNormBackward(x3, g3, gamma, saveMean, saveInvStd, dx3, dgamma, dbeta);
                else EvalBatchNormBackward(x3, g3, gamma, saveMean, saveInvStd, dx3,
                    weight is { RequiresGrad: true } ? dgamma : null, bias is { RequiresGrad: true } ? dbeta : null);
            }
            var grads = new List<Tensor?> { dx };
            if (weight is not null) grads.Add(dgamma); else dgamma.Dispose();
            if (bias is not null) grads.Add(dbeta); else dbeta.Dispose();
            return [.. grads];
        });
    }

    /// <summary>
    /// Eval-mode batch norm backward (statistics are constants): dx = dy·γ·invStd, and, when wanted (not null: γ or β
    /// requires grad; a frozen backbone's do not), dγ = Σ dy·x̂ and dβ = Σ dy over N and S, written with tensor ops
    /// so it runs on any device. dx is one broadcast multiply straight into dx3.
    /// </summary>
    private static void EvalBatchNormBackward(Tensor x3, Tensor g3, Tensor gamma, Tensor mean, Tensor invStd, Tensor dx3, Tensor? dgamma, Tensor? dbeta)
    {
        int c = x3.Dim(1);
        using var scope = Tensor.Scope();
        var inv = invStd.Reshape(1, c, 1);
        g3.Backend.Binary(BinaryOp.Mul, g3, gamma.Reshape(1, c, 1) * inv, dx3);
        if (dgamma is not null)
        {
            var xhat = (x3 - mean.Reshape(1, c, 1)) * inv;
            dgamma.CopyFrom((g3 * xhat).Sum(2).Sum(0));
        }
        dbeta?.CopyFrom(g3.Sum(2).Sum(0));
    }
}
