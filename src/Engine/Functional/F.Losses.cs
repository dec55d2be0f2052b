namespace Engine.Functional;

// Elementwise losses with torch.nn.functional's signatures and formulas (PyTorch 1.13): mse_loss,
// binary_cross_entropy, binary_cross_entropy_with_logits, l1_loss, smooth_l1_loss, kl_div. input and
// target have the same shape; reduction "mean" (of all elements), "sum" or "none".
public static partial class F
{
    /// <summary>Mean squared error (torch.nn.functional.mse_loss): (input − target)², reduced.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, string reduction = "mean")
    {
        CheckSameShape("MSELoss", input, target);
        return Reduce((input - target).Square(), reduction, "MSELoss");
    }

    /// <summary>Mean squared error; the same as <see cref="MseLoss"/>.</summary>
    public static Tensor Mse(Tensor input, Tensor target, string reduction = "mean") => MseLoss(input, target, reduction);

    /// <summary>
    /// Binary cross-entropy on probabilities (torch.nn.functional.binary_cross_entropy):
    /// −weight·(t·log x + (1−t)·log(1−x)), each log clamped at −100 like PyTorch; weight broadcasts to the input.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean")
    {
        const string op = "BCELoss";
        CheckSameShape(op, input, target);
        Tensor.CheckSameKind(op, input, target);
        input.CheckFloat(op);
        CheckBroadcastsTo(op, "weight", weight, input);
        CheckProbabilities(op, input);
        var logX = input.Log().Clamp(min: -100);
        var log1mX = input.RSub(1).Log().Clamp(min: -100);
        var loss = -(target * logX + target.RSub(1) * log1mX);
        if (weight is not null) loss = loss * weight;
        return Reduce(loss, reduction, op);
    }

    /// <summary>
    /// Binary cross-entropy of logits (torch.nn.functional.binary_cross_entropy_with_logits), computed
    /// without overflow: with m = max(−x, 0) and L = log(e^−m + e^(−x−m)) + m = −log σ(x),
    /// loss = (1 − t)·x + lw·L, lw = (pos_weight − 1)·t + 1 (1 without pos_weight), times weight.
    /// pos_weight (one per class, broadcast along the last axis) weighs the positive term.
    /// Backward (as PyTorch's): dx = ((pos_weight·t + 1 − t)·σ(x) − pos_weight·t)·weight,
    /// dt = ((pos_weight − 1)·L − x)·weight; ÷ numel for "mean".
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean", Tensor? posWeight = null)
    {
        const string op = "BCEWithLogitsLoss";
        string red = CheckReduction(reduction, op);
        input.CheckFloat(op);
        Tensor.CheckSameKind(op, input, target);
        CheckSameShape(op, input, target);
        CheckBroadcastsTo(op, "weight", weight, input);
        CheckBroadcastsTo(op, "pos_weight", posWeight, input);
        if (weight?.RequiresGrad == true || posWeight?.RequiresGrad == true)
            throw new NotSupportedException($"{op}: gradients with respect to weight or pos_weight are not computed; detach them.");
        Tensor y, logTerm, lw;
        using (Tensor.NoGrad())
        {
            var m = input.Neg().Clamp(min: 0);
            var log = (m.Neg().Exp() + (input.Neg() - m).Exp()).Log();
            logTerm = log + m;
            var oneMinusT = target.RSub(1);
            lw = posWeight is null ? Tensor.OnesLike(input) : (posWeight - 1) * target + 1;
            var loss = posWeight is null ? oneMinusT * input + m + log : oneMinusT * input + lw * logTerm;
            if (weight is not null) loss = loss * weight;
            y = red switch { "none" => loss, "sum" => loss.Sum(), _ => loss.Mean() };
        }
        return Autograd.Record(y, op, [input, target], g =>
        {
            var scaled = red == "mean" ? g / Tensor.Scalar(input.Size, g.DType, g.Device) : g;
            if (weight is not null) scaled = scaled * weight;
            Tensor? dx = null, dt = null;
            if (input.RequiresGrad)
            {
                var local = posWeight is null
                    ? input.Sigmoid() - target
                    : (posWeight * target + 1 - target) * input.Sigmoid() - posWeight * target;
                dx = local * scaled;
            }
            if (target.RequiresGrad)
                dt = (posWeight is null ? input.Neg() : (posWeight - 1) * logTerm - input) * scaled;
            return [dx, dt];
        });
    }

    /// <summary>Mean absolute error (torch.nn.functional.l1_loss): |input − target|, reduced; gradient sign(input − target) (0 at 0).</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, string reduction = "mean")
    {
        CheckSameShape("L1Loss", input, target);
        return Reduce((input - target).Abs(), reduction, "L1Loss");
    }

    /// <summary>
    /// Smooth L1 (torch.nn.functional.smooth_l1_loss): with d = input − target, 0.5·d²/β where |d| &lt; β and
    /// |d| − 0.5·β elsewhere; β = 0 is the L1 loss. Gradient d/β inside, sign(d) outside.
    /// </summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, string reduction = "mean", double beta = 1.0)
    {
        const string op = "SmoothL1Loss";
        if (!(beta >= 0) || !double.IsFinite(beta))
            throw new ArgumentOutOfRangeException(nameof(beta), $"{op}: beta must be a finite number ≥ 0 (smooth_l1_loss does not support negative values for beta), got {beta}.");
        CheckSameShape(op, input, target);
        if (beta == 0) return Reduce((input - target).Abs(), reduction, op);
        var d = input - target;
        var a = d.Abs();
        Tensor inside, outside;
        using (Tensor.NoGrad()) inside = a.Neg().Greater(-beta);   // 1 where |d| < β
        outside = inside.RSub(1);
        var b = Tensor.Scalar(beta, input.DType, input.Device);
        var quadratic = d * 0.5 * d / b;
        var linear = a - 0.5 * beta;
        return Reduce(inside * quadratic + outside * linear, reduction, op);
    }

    /// <summary>
    /// Kullback–Leibler divergence (torch.nn.functional.kl_div) of log-probabilities input against target:
    /// t·log t − t·input (0 where t = 0, as xlogy), or with <paramref name="logTarget"/> e^t·(t − input).
    /// reduction "mean" (of all elements), "batchmean" (sum ÷ input.size(0), the mathematical KL), "sum" or "none".
    /// </summary>
    public static Tensor KlDiv(Tensor input, Tensor target, string reduction = "mean", bool logTarget = false)
    {
        const string op = "KLDivLoss";
        CheckSameShape(op, input, target);
        input.CheckFloat(op);
        Tensor.CheckSameKind(op, input, target);
        bool batchMean = reduction == "batchmean";
        string red = batchMean ? "sum" : CheckReduction(reduction, op);
        if (batchMean && input.Rank == 0)
            throw new ArgumentException($"{op}: reduction \"batchmean\" divides by input.size(0), but the input is a scalar.");
        Tensor loss;
        if (logTarget) loss = target.Exp() * (target - input);
        else
        {
            // xlogy(t, t): t·log t with 0 where t = 0 (log reads 1 there).
            Tensor isZero;
            using (Tensor.NoGrad()) isZero = target.Equal(Tensor.Scalar(0, target.DType, target.Device));
            loss = target * (target + isZero).Log() - target * input;
        }
        var reduced = Reduce(loss, red, op);
        return batchMean ? reduced / Tensor.Scalar(input.Dim(0), input.DType, input.Device) : reduced;
    }

    /// <summary>Throws unless the optional tensor has the input's dtype and device and broadcasts to its shape.</summary>
    private static void CheckBroadcastsTo(string op, string what, Tensor? t, Tensor input)
    {
        if (t is null) return;
        Tensor.CheckSameKind(op, input, t);
        bool fits = t.Rank <= input.Rank;
        for (int i = 1; fits && i <= t.Rank; i++) fits = t.Dim(-i) == 1 || t.Dim(-i) == input.Dim(-i);
        if (!fits)
            throw new ArgumentException($"{op}: {what} of shape {Tensor.ShapeString(t.Shape)} does not broadcast to the input's shape {Tensor.ShapeString(input.Shape)}.");
    }

    /// <summary>Throws unless every element lies in [0, 1] (NaN included in the refusal), as torch's binary_cross_entropy does.</summary>
    private static void CheckProbabilities(string op, Tensor input)
    {
        if (input.Size == 0) return;
        double lo, hi, sum;
        using (Tensor.NoGrad())
        using (var mn = input.Min())
        using (var mx = input.Max())
        using (var sm = input.Sum())
        {
            lo = mn.Item();
            hi = mx.Item();
            sum = sm.Item();
        }
        if (!(lo >= 0 && hi <= 1) || double.IsNaN(sum))
            throw new ArgumentException($"{op}: all elements of input should be between 0 and 1 (probabilities; apply Sigmoid first or use BCEWithLogits), but they span [{lo}, {hi}]{(double.IsNaN(sum) ? " and include NaN" : "")} (shape {Tensor.ShapeString(input.Shape)}).");
    }
}
