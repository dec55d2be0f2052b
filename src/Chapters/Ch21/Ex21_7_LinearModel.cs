using System.Globalization;
using Engine;
using Engine.Layers;

namespace Chapters.Ch21;

/// <summary>
/// 21.7 — the chapter's worked example: learn y = 2x − 1 from six points with one Dense(units 1,
/// inputShape [1]) (GlorotUniform kernel, zero bias), loss meanSquaredError, optimizer "sgd" (lr 0.01),
/// 500 epochs on the full batch, then Predict(5): the book prints 8.9962864; checked 8.99 &lt; y(5) &lt; 9.0.
/// </summary>
public sealed class Ex21_7_LinearModel : Exercise
{
    public override string Id => "21.7";
    public override IReadOnlyList<string> OptionNames => ["epochs"];
    public override string Title => "Linear model y = 2x − 1: Dense(1), sgd, 500 epochs, Predict(5) ≈ 9";

    /// <summary>The book's data.</summary>
    public static readonly float[] Xs = [-1, 0, 1, 2, 3, 4], Ys = [-3, -1, 1, 3, 5, 7];

    /// <summary>Builds and trains the model (returns it and the final loss).</summary>
    public static (Sequential Model, double Loss) Train(ulong seed, int epochs = 500, Device? device = null)
    {
        var model = new Sequential(seed: seed);
        model.Add(new Dense(units: 1, inputShape: [1]));
        if (device is not null) model.To(device);
        model.Compile(loss: Losses.MeanSquaredError, optimizer: "sgd");
        using var xs = Tensor.FromArray(Xs, [6, 1]);
        using var ys = Tensor.FromArray(Ys, [6, 1]);
        var history = model.Fit(xs, ys, epochs: epochs, batchSize: 32, verbose: 0);
        return (model, history["loss"][^1]);
    }

    /// <summary>The model's prediction for one x.</summary>
    public static double PredictOne(Sequential model, double x)
    {
        using var scope = Tensor.Scope();
        return model.Predict(Tensor.FromArray(new[] { (float)x }, [1, 1])).Item();
    }

    public override void Run(ExerciseContext ctx)
    {
        var (model, loss) = Train(ctx.Seed, ctx.Int("epochs", 500), ctx.Device);
        model.Summary(printFn: ctx.Print);
        double y5 = PredictOne(model, 5);
        var k = model.GetLayer("dense_1").Weights;
        ctx.Print($"after 500 epochs: loss {loss.ToString("G5", CultureInfo.InvariantCulture)}, kernel {k[0].Value.Item():F5}, bias {k[1].Value.Item():F5}");
        ctx.Print($"Predict(5) = {y5.ToString("G8", CultureInfo.InvariantCulture)}  (book 8.9962864)");
        ctx.Expect("Predict(5)", "8.99 < y < 9.0 (book 8.9962864)", y5.ToString("F7", CultureInfo.InvariantCulture), y5 > 8.99 && y5 < 9.0);
    }
}
