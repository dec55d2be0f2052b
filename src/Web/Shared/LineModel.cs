using Engine;
using Engine.Layers;

namespace Web;

/// <summary>
/// The book's 21.7 model of y = 2x − 1 in the Keras-style API: a Sequential with one
/// <c>Dense(units: 1, inputShape: [1])</c> (Glorot-uniform kernel, zero bias), compiled with "sgd"
/// (lr 0.01) and "meanSquaredError", fitted on the full batch xs = [−1, 0, 1, 2, 3, 4],
/// ys = [−3, −1, 1, 3, 5, 7]. <see cref="TrainEpoch"/> runs <c>Fit(epochs: 1)</c> so a page can draw the
/// loss between epochs; after <see cref="Epochs"/> of them y(5) ≈ 9 (book: 8.9962864).
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

    private readonly Sequential _model;
    private readonly Tensor _xs = Tensor.FromArray(Xs, [Xs.Length, 1]);
    private readonly Tensor _ys = Tensor.FromArray(Ys, [Ys.Length, 1]);

    /// <summary>A fresh model; the kernel is drawn from the model's generator seeded with <paramref name="seed"/>.</summary>
    public LineModel(ulong seed = 0)
    {
        _model = new Sequential(seed: seed);
        _model.Add(new Dense(units: 1, inputShape: [1]));
        _model.Compile(optimizer: "sgd", loss: "meanSquaredError");
    }

    /// <summary>Epochs trained so far.</summary>
    public int Epoch { get; private set; }

    /// <summary>One epoch of <c>Fit</c> on the six points (one batch); returns the epoch's loss as Keras reports it.</summary>
    public double TrainEpoch()
    {
        var history = _model.Fit(_xs, _ys, epochs: 1, batchSize: Xs.Length, verbose: 0);
        Epoch++;
        return history["loss"][^1];
    }

    /// <summary>Trains the remaining epochs up to <see cref="Epochs"/>.</summary>
    public void TrainAll()
    {
        while (Epoch < Epochs) TrainEpoch();
    }

    /// <summary>The model's y for one x (<c>model.predict(tf.tensor2d([x], [1, 1]))</c>).</summary>
    public double Predict(double x)
    {
        using var scope = Tensor.Scope();
        return _model.Predict(Tensor.FromArray([(float)x], [1, 1])).Item();
    }
}
