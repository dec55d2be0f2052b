using Chapters.Ch24;
using Engine;

namespace Chapters.Ch20;

/// <summary>
/// 20.3.1 — a two-layer ReLU net's forward and backward pass written out by hand on one tiny case
/// (float64 tensors, no autograd): N=1, D_in=2, H=2, D_out=2, sum-of-squares loss, one SGD step.
/// </summary>
public sealed class Ex20_3_1_ByHandTiny : Exercise
{
    public override string Id => "20.3.1";
    public override string Title => "Forward and backward by hand, tiny case (NumPy style)";

    public override void Run(ExerciseContext ctx)
    {
        using var scope = Tensor.Scope();
        string P(Tensor t) => NumPyFormat.Array(t);
        string L(Tensor t) => NumPyFormat.OneLine(NumPyFormat.Array(t));
        const double learningRate = 1e-6;

        var x = Tensor.From(new double[,] { { 1, 2 } });
        var y = Tensor.From(new double[,] { { 1, 2 } });
        var w1 = Tensor.From(new double[,] { { 0, 0.1 }, { 0.2, 0.3 } });
        var w2 = Tensor.From(new double[,] { { 0, 0.1 }, { 0.2, 0.3 } });
        ctx.Print($"x: {P(x)},\ny: {P(y)},\nw1 initial:\n{P(w1)},\nw2 initial:\n{P(w2)}");

        // forward: h = x·w1, h_relu = max(h, 0), y_pred = h_relu·w2
        var h = x.MatMul(w1);
        var hRelu = h.Maximum(Tensor.Zeros([], DType.Float64));
        var yPred = hRelu.MatMul(w2);
        ctx.Print($"h: {P(h)},\nh_relu: {P(hRelu)},\ny_pred: {P(yPred)}");

        // loss = Σ (y_pred − y)²
        var diff = yPred - y;
        double loss = diff.Square().Sum().Item();
        ctx.Print($"loss: {NumPyFormat.Scalar(loss)}");

        // backward
        var gradYPred = diff * 2.0;                        // dL/dy_pred = 2(y_pred − y)
        var gradW2 = hRelu.MatMul(gradYPred, transA: true); // h_reluᵀ · grad_y_pred
        var gradHRelu = gradYPred.MatMul(w2, transB: true); // grad_y_pred · w2ᵀ
        var gradH = gradHRelu * h.Greater(0);              // grad_h[h < 0] = 0
        var gradW1 = x.MatMul(gradH, transA: true);         // xᵀ · grad_h
        ctx.Print($"grad_y_pred: {P(gradYPred)},\ngrad_w2:\n{P(gradW2)},\ngrad_h_relu: {P(gradHRelu)},\ngrad_h: {P(gradH)},\ngrad_w1:\n{P(gradW1)}");

        // update
        w1.SubInPlace(gradW1 * learningRate);
        w2.SubInPlace(gradW2 * learningRate);
        ctx.Print($"updated w1:\n{P(w1)},\nupdated w2:\n{P(w2)}");

        ctx.Expect("h", "[[0.4 0.7]]", L(h));
        ctx.Expect("h_relu", "[[0.4 0.7]]", L(hRelu));
        ctx.Expect("y_pred", "[[0.14 0.25]]", L(yPred));
        ctx.Expect("loss", "3.8021", NumPyFormat.Scalar(loss));
        ctx.Expect("grad_y_pred", "[[-1.72 -3.5 ]]", L(gradYPred));
        ctx.Expect("grad_w2", "[[-0.688 -1.4  ] [-1.204 -2.45 ]]", L(gradW2));
        ctx.Expect("grad_h_relu", "[[-0.35  -1.394]]", L(gradHRelu));
        ctx.Expect("grad_h", "[[-0.35  -1.394]]", L(gradH));
        ctx.Expect("grad_w1", "[[-0.35  -1.394] [-0.7   -2.788]]", L(gradW1));
        ctx.Expect("updated w1", "[[3.50000000e-07 1.00001394e-01] [2.00000700e-01 3.00002788e-01]]", L(w1));
        ctx.Expect("updated w2", "[[6.88000000e-07 1.00001400e-01] [2.00001204e-01 3.00002450e-01]]", L(w2));
    }
}
