using Engine;
using Engine.Functional;
using Engine.Nn;
using Engine.Optim;

namespace Web;

/// <summary>
/// The book's 21.7 model of y = 2x − 1: one dense unit (kernel [1, 1] Glorot-uniform, bias 0, as Keras
/// initialises Dense), mean squared error, SGD with lr 0.01, full batch of the six points
/// xs = [−1, 0, 1, 2, 3, 4], ys = [−3, −1, 1, 3, 5, 7]. <see cref="TrainEpoch"/> runs one epoch so a
/// page can draw the loss between epochs; after <see cref="Epochs"/> of them y(5) ≈ 9 (book: 8.9962864).
/// Runs on the engine's CPU backend: natively in `chapters serve`, in WebAssembly in the browser page.
/// </summary>
public sealed class LineModel
{
    /// <summary>Epochs the book trains for.</summary>
    public const int Epochs = 500;

    /// <summary>The six training inputs, shape [6, 1].</summary>
    public static readonly float[] Xs = [-1, 0, 1, 2, 3, 4];

    /// <summary>The six targets 2x − 1, shape [6, 1].</summary>
    public static readonly float[] Ys = [-3, -1, 1, 3, 5, 7];

    private readonly Linear _dense;
    private readonly Sgd _optimizer;
    private readonly Tensor _xs = Tensor.FromArray(Xs, [Xs.Length, 1]);
    private readonly Tensor _ys = Tensor.FromArray(Ys, [Ys.Length, 1]);

    /// <summary>A fresh model; the kernel is drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public LineModel(ulong seed = 0)
    {
        _dense = new Linear(1, 1, generator: new Generator(seed));
        Init.XavierUniform(_dense.Weight, generator: new Generator(seed));
        Init.Zeros(_dense.Bias!);
        _optimizer = new Sgd(_dense.Parameters(), lr: 0.01);
    }

    /// <summary>Epochs trained so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>One full-batch epoch: forward, MSE, backward, SGD step. Returns the epoch's loss (before the step, as Keras reports it).</summary>
    public double TrainEpoch()
    {
        using var scope = Tensor.Scope();
        var loss = F.Mse(_dense.Forward(_xs), _ys);
        _optimizer.ZeroGrad();
        loss.Backward();
        _optimizer.Step();
        Epoch++;
        return loss.Item();
    }

    /// <summary>Trains the remaining epochs up to <see cref="Epochs"/>.</summary>
    public void TrainAll()
    {
        while (Epoch < Epochs) TrainEpoch();
    }

    /// <summary>The model's y for one x.</summary>
    public double Predict(double x)
    {
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        return _dense.Forward(Tensor.FromArray([(float)x], [1, 1])).Item();
    }
}
