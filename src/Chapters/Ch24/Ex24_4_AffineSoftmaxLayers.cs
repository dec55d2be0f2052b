using Engine;
using Engine.Scratch;

namespace Chapters.Ch24;

/// <summary>
/// 24.4 — the Affine layer (bias broadcast forward, dB = column sums backward) and the
/// Softmax-with-Loss layer (row max subtracted, 1e-7 inside the log, backward (y − t)/batch), DLfS 5.6.
/// </summary>
public sealed class Ex24_4_AffineSoftmaxLayers : Exercise
{
    public override string Id => "24.4";
    public override string Title => "Affine and Softmax-with-Loss layers";

    public override void Run(ExerciseContext ctx)
    {
        using var scope = Tensor.Scope();
        string L(Tensor t) => NumPyFormat.OneLine(NumPyFormat.Array(t));

        // the book's bias example: X·W = [[0,0,0],[10,10,10]], + B broadcast over rows, dB = Σ rows of dY
        var xDotW = Tensor.From(new double[,] { { 0, 0, 0 }, { 10, 10, 10 } });
        var bias = Tensor.FromArray(new double[] { 1, 2, 3 });
        var sum = xDotW + bias;
        ctx.Print("X_dot_W + B =\n" + NumPyFormat.Array(sum));
        var dY = Tensor.From(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var dB = dY.Sum(0);
        ctx.Print("dB = np.sum(dY, axis=0) = " + NumPyFormat.Array(dB));

        // the same numbers through the Affine layer: X [2,2] · W (all ones) [2,3] + b
        var x = Tensor.From(new double[,] { { 0, 0 }, { 5, 5 } });
        var affine = new Affine(Tensor.Ones([2, 3], DType.Float64), bias);
        var y = affine.Forward(x);
        ctx.Print("Affine.Forward(X) =\n" + NumPyFormat.Array(y));
        var dx = affine.Backward(dY);
        ctx.Print("Affine.Backward(dY): dX =\n" + NumPyFormat.Array(dx) + "\ndW =\n" + NumPyFormat.Array(affine.DW!) + "\ndb = " + NumPyFormat.Array(affine.DB!));
        ctx.Expect("X_dot_W + B", "[[ 1.  2.  3.] [11. 12. 13.]]", L(sum));
        ctx.Expect("dB", "[5. 7. 9.]", L(dB));
        ctx.Expect("Affine forward", "[[ 1.  2.  3.] [11. 12. 13.]]", L(y));
        ctx.Expect("Affine db", "[5. 7. 9.]", L(affine.DB!));
        ctx.Expect("Affine dX = dY·Wᵀ", "[[ 6.  6.] [15. 15.]]", L(dx));
        ctx.Expect("Affine dW = Xᵀ·dY", "[[20. 25. 30.] [20. 25. 30.]]", L(affine.DW!));

        // Softmax-with-Loss on DLfS's scores a = [0.3, 2.9, 4.0], label 2
        var a = Tensor.From(new double[,] { { 0.3, 2.9, 4.0 } });
        var t = Tensor.From(new double[,] { { 0, 0, 1 } });
        var softmaxWithLoss = new SoftmaxWithLoss();
        var loss = softmaxWithLoss.Forward(a, t);
        ctx.Print("softmax([0.3, 2.9, 4.0]) = " + NumPyFormat.Array(softmaxWithLoss.Y!));
        ctx.Print("loss = -log(y[2] + 1e-7) = " + NumPyFormat.Scalar(loss.Item()));
        var da = softmaxWithLoss.Backward();
        ctx.Print("backward (y - t)/batch = " + NumPyFormat.Array(da));
        ctx.Expect("softmax", "[[0.01821127 0.24519181 0.73659691]]", L(softmaxWithLoss.Y!));
        ctx.Expect("cross-entropy (1e-7 in the log)", "0.30571433", loss.Item().ToString("F8", System.Globalization.CultureInfo.InvariantCulture));
        ctx.Expect("backward (y-t)/batch", "[[ 0.01821127  0.24519181 -0.26340309]]", L(da));

        // the row max is subtracted first: large scores do not overflow
        var big = Tensor.From(new double[,] { { 1010, 1000, 990 } });
        var bigLoss = new SoftmaxWithLoss();
        bigLoss.Forward(big, Tensor.FromArray(new int[] { 0 }));
        ctx.Print("softmax([1010, 1000, 990]) = " + NumPyFormat.Array(bigLoss.Y!));
        ctx.Expect("softmax of large scores", "[[9.99954600e-01 4.53978686e-05 2.06106005e-09]]", L(bigLoss.Y!));

        // a batch of two with integer labels: the gradient is divided by the batch size
        var batch = Tensor.From(new double[,] { { 0.3, 2.9, 4.0 }, { 0.3, 2.9, 4.0 } });
        var batchLoss = new SoftmaxWithLoss();
        double lossTwo = batchLoss.Forward(batch, Tensor.FromArray(new int[] { 2, 2 })).Item();
        var dBatch = batchLoss.Backward();
        ctx.Print("batch of 2 (labels [2 2]): loss = " + NumPyFormat.Scalar(lossTwo) + ", dx =\n" + NumPyFormat.Array(dBatch));
        ctx.Expect("batch loss = mean", "0.30571433", lossTwo.ToString("F8", System.Globalization.CultureInfo.InvariantCulture));
        ctx.Expect("batch backward /2", "[[ 0.00910564  0.12259591 -0.13170154] [ 0.00910564  0.12259591 -0.13170154]]", L(dBatch));
    }
}
