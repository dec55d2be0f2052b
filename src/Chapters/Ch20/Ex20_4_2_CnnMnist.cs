using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Data;
using Engine.Functional;
using Engine.Nn;
using Engine.Optim;

namespace Chapters.Ch20;

/// <summary>
/// 20.4.2 — a small CNN on MNIST: Conv2d(1, c1, 5, padding 2) → ReLU → MaxPool2d(2) → Conv2d(c1, c2, 5,
/// padding 2) → ReLU → MaxPool2d(2) → Flatten → Linear(c2·7·7, 10), CrossEntropyLoss, Adam (lr 1e-3),
/// mini-batches of 64 shuffled by a DataLoader. Test accuracy after every epoch.
/// Default: 3 epochs (book: ≥ 0.985); <c>--quick</c>: 1 epoch (≥ 0.97). Options: <c>--epochs N</c>,
/// <c>--batch B</c>, <c>--lr X</c>, <c>--c1</c>/<c>--c2</c> channels (default 16, 32), <c>--train N</c> /
/// <c>--test N</c> to use only the first N images (a short run, checked against a looser bound).
/// </summary>
public sealed class Ex20_4_2_CnnMnist : Exercise
{
    public override string Id => "20.4.2";
    public override string Title => "CNN on MNIST: (Conv2d→ReLU→MaxPool)×2 → Linear, Adam";
    public override IReadOnlyList<string> OptionNames => ["epochs", "batch", "lr", "c1", "c2", "train", "test"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Default channels of the two conv layers.</summary>
    internal const int C1 = 16, C2 = 32;

    /// <summary>The model, weights drawn from <paramref name="generator"/> on the CPU, then moved to <paramref name="device"/>.</summary>
    internal static Sequential Model(Generator generator, Device device, int c1 = C1, int c2 = C2)
    {
        var model = new Sequential(
            new Conv2d(1, c1, 5, padding: 2, generator: generator), new ReLU(), new MaxPool2d(2),
            new Conv2d(c1, c2, 5, padding: 2, generator: generator), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(c2 * 7 * 7, Mnist.Classes, generator: generator));
        model.To(device);
        return model;
    }

    /// <summary>One training step: forward, cross-entropy, backward, optimiser step; returns the loss.</summary>
    internal static double Step(Module model, Optimizer optimizer, Tensor x, Tensor labels)
    {
        using var scope = Tensor.Scope();
        var loss = F.CrossEntropy(model.Forward(x), labels);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return loss.Item();
    }

    /// <summary>Fraction of images whose arg-max score is the label (eval mode, no graph, batches of 1000).</summary>
    internal static double Accuracy(Module model, MnistSet set)
    {
        model.Eval();
        int correct = 0;
        using (Tensor.NoGrad())
            for (int start = 0; start < set.Count; start += 1000)
            {
                using var scope = Tensor.Scope();
                int count = Math.Min(1000, set.Count - start);
                var predicted = model.Forward(set.Images.Rows(start, count)).ArgMax(1).Cpu().ToArray<int>();
                var labels = set.Labels.Rows(start, count).Cpu().ToArray<int>();
                for (int i = 0; i < count; i++) if (predicted[i] == labels[i]) correct++;
            }
        model.Train();
        return (double)correct / set.Count;
    }

    public override void Run(ExerciseContext ctx)
    {
        int epochs = ctx.Int("epochs", ctx.Quick ? 1 : 3);
        int batch = ctx.Int("batch", 64);
        double lr = ctx.Double("lr", 1e-3);
        int c1 = ctx.Int("c1", C1), c2 = ctx.Int("c2", C2);
        var (fullTrain, fullTest) = Mnist.Load(normalize: true, flatten: false);
        int trainCount = ctx.Int("train", fullTrain.Count), testCount = ctx.Int("test", fullTest.Count);
        bool subset = trainCount < fullTrain.Count || testCount < fullTest.Count;
        var train = (trainCount < fullTrain.Count ? fullTrain.Take(trainCount) : fullTrain).To(ctx.Device);
        var test = (testCount < fullTest.Count ? fullTest.Take(testCount) : fullTest).To(ctx.Device);

        var gen = ctx.NewGenerator();
        var model = Model(gen, ctx.Device, c1, c2);
        var optimizer = new Adam(model.Parameters(), lr: lr);
        var loader = new DataLoader(train.ToDataset(), batchSize: batch, shuffle: true, seed: ctx.Seed);
        ctx.Print(model.ToString());
        ctx.Print($"{model.ParameterCount:N0} parameters; {train.Count} training and {test.Count} test images on {ctx.Device}; "
            + $"batch {batch}, Adam lr {lr.ToString(Inv)}, {epochs} epoch(s) of {loader.Count} steps");

        double accuracy = 0;
        var sw = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double lossSum = 0;
            int steps = 0;
            foreach (var (x, y) in loader)
            {
                double loss = Step(model, optimizer, x, y);
                x.Dispose();
                y.Dispose();
                lossSum += loss;
                steps++;
                if (steps % 200 == 0)
                    ctx.Print($"epoch {epoch} step {steps,4}/{loader.Count}  loss {(lossSum / steps).ToString("F4", Inv)}  ({sw.Elapsed.TotalSeconds:F0} s)");
            }
            accuracy = Accuracy(model, test);
            ctx.Print($"epoch {epoch}: mean loss {(lossSum / Math.Max(1, steps)).ToString("F4", Inv)}, test accuracy {accuracy.ToString("F4", Inv)}  ({sw.Elapsed.TotalSeconds:F0} s)");
        }

        string acc = accuracy.ToString("F4", Inv);
        if (subset)
            ctx.Expect($"test accuracy, short run ({train.Count} training images, {epochs} epoch(s))", "≥ 0.90", acc, accuracy >= 0.90);
        else if (epochs == 1)
            ctx.Expect("test accuracy after 1 epoch", "≥ 0.97", acc, accuracy >= 0.97);
        else
            ctx.Expect($"test accuracy after {epochs} epochs", "≥ 0.985", acc, accuracy >= 0.985);
        if (!ReferenceEquals(train, fullTrain)) train.Dispose();
        if (!ReferenceEquals(test, fullTest)) test.Dispose();
    }
}
