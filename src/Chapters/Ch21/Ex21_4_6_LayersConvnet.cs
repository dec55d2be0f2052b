using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Data;
using Engine.Layers;
using Engine.Optim;

namespace Chapters.Ch21;

/// <summary>
/// 21.4.6 — the book's layers model (the TensorFlow.js MNIST tutorial): Conv2D(8, 5×5, stride 1, relu,
/// VarianceScaling) on [28, 28, 1] → MaxPooling2D(2×2, stride 2) → Conv2D(16, 5×5) → MaxPooling2D → Flatten →
/// Dense(10, softmax, VarianceScaling); categorical cross-entropy, Adam (Keras defaults: lr 0.001, ε 1e-7), batch 64.
/// Prints Summary() as Keras does (Total params: 5,994), trains, and reports test accuracy.
/// Default: 2 epochs on the 60,000 training images (book: ≥ 0.97). <c>--quick</c>: 1 epoch on the first
/// 12,000 images with Adam lr 0.005, tested on the first 2,000 (checked ≥ 0.93, a short run). Options: <c>--epochs</c>,
/// <c>--batch</c>, <c>--lr</c>, <c>--train N</c>, <c>--test N</c>, <c>--save path</c> (the trained model, for the web page).
/// </summary>
public sealed class Ex21_4_6_LayersConvnet : Exercise
{
    public override string Id => "21.4.6";
    public override IReadOnlyList<string> OptionNames => ["epochs", "batch", "lr", "train", "test", "save"];
    public override string Title => "Layers model: the book's Keras-style convnet on MNIST; Summary, Fit, Evaluate";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The book's model.</summary>
    public static Sequential Build(ulong seed = 0, Device? device = null)
    {
        var m = new Sequential(seed: seed);
        m.Add(new Conv2D(filters: 8, kernelSize: 5, strides: 1, activation: "relu", kernelInitializer: new VarianceScaling(), inputShape: [28, 28, 1]));
        m.Add(new MaxPooling2D(poolSize: (2, 2), strides: (2, 2)));
        m.Add(new Conv2D(filters: 16, kernelSize: 5, strides: 1, activation: "relu", kernelInitializer: new VarianceScaling()));
        m.Add(new MaxPooling2D(poolSize: (2, 2), strides: (2, 2)));
        m.Add(new Flatten());
        m.Add(new Dense(units: 10, activation: "softmax", kernelInitializer: new VarianceScaling()));
        if (device is not null) m.To(device);
        return m;
    }

    /// <summary>MNIST as channels-last images [N, 28, 28, 1] in [0, 1] with one-hot labels [N, 10].</summary>
    public static (Tensor X, Tensor Y) Images(MnistSet set) => (set.Images.Reshape(set.Count, 28, 28, 1), set.Labels);

    public override void Run(ExerciseContext ctx)
    {
        int epochs = ctx.Int("epochs", ctx.Quick ? 1 : 2), batch = ctx.Int("batch", 64);
        int trainN = ctx.Int("train", ctx.Quick ? 12_000 : 60_000), testN = ctx.Int("test", ctx.Quick ? 2_000 : 10_000);
        var model = Build(ctx.Seed, ctx.Device);
        model.Summary(printFn: ctx.Print);
        var layers = model.Layers;
        ctx.Expect("output shapes", "(None,24,24,8) (None,12,12,8) (None,8,8,16) (None,4,4,16) (None,256) (None,10)",
            string.Join(" ", layers.Select(l => Layer.ShapeText(l.OutputShape).Replace(" ", ""))));
        ctx.Expect("params per layer", "208 0 3216 0 0 2570", string.Join(" ", layers.Select(l => l.CountParams())));
        ctx.Expect("Total params", "5,994", model.CountParams().ToString("#,0", Inv));

        var (train, test) = Mnist.Load(normalize: true, flatten: false, oneHot: true);
        using var trainSet = train.Take(Math.Min(trainN, train.Count));
        using var testSet = test.Take(Math.Min(testN, test.Count));
        var (x, y) = Images(trainSet);
        var (tx, ty) = Images(testSet);
        double lr = ctx.Double("lr", ctx.Quick ? 0.005 : 0.001);
        model.Compile(optimizer: new Adam(lr: lr, eps: 1e-7), loss: Losses.CategoricalCrossentropy, metrics: ["accuracy"]);
        ctx.Print($"optimizer Adam(lr {lr.ToString(Inv)}), batch {batch}, {epochs} epoch(s)");
        var clock = Stopwatch.StartNew();
        var history = model.Fit(x, y, epochs: epochs, batchSize: batch, validationData: (tx, ty), output: ctx.Out);
        ctx.Print($"trained {epochs} epoch(s) on {trainSet.Count} images in {clock.Elapsed.TotalSeconds:F1} s on {ctx.Device}");
        var result = model.Evaluate(tx, ty, batchSize: 500);
        double acc = result["acc"];
        ctx.Print($"test loss {result["loss"].ToString("F4", Inv)}, test accuracy {acc.ToString("F4", Inv)} on {testSet.Count} images");
        bool full = trainSet.Count >= 60_000 && testSet.Count >= 10_000;
        double floor = full ? 0.97 : 0.93;
        ctx.Expect(full ? "test accuracy" : $"test accuracy (short run: {trainSet.Count} images)", $"≥ {floor:F2}", acc.ToString("F4", Inv), acc >= floor);
        ctx.Expect("loss falls over the epochs", "falls", string.Join(" → ", history["loss"].Select(l => l.ToString("F3", Inv))),
            history["loss"].Count < 2 || history["loss"][^1] < history["loss"][0]);
        if (ctx.Options.TryGetValue("save", out var path))
        {
            model.Save(path);
            ctx.Print($"saved the model to {path}");
        }
        x.Dispose(); y.Dispose(); tx.Dispose(); ty.Dispose();
    }
}
