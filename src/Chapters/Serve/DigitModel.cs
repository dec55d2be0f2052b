using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Data;
using Engine.Functional;
using Engine.IO;
using Engine.Nn;
using Engine.Optim;

namespace Chapters.Serve;

/// <summary>
/// The digit classifier behind the server's /digits page: the book's 21.4.6 convnet
/// (conv 5×5 ×8 → ReLU → max-pool 2 → conv 5×5 ×16 → ReLU → max-pool 2 → flatten → dense 10, softmax;
/// 5,994 parameters) trained by the engine on MNIST and kept in a safetensors file.
/// <see cref="Predict"/> takes one 28×28 image (784 values in [0, 1], row by row, ink = 1 as in MNIST)
/// and returns the ten class probabilities. One forward pass runs at a time (a lock), so concurrent
/// requests share the model safely.
/// </summary>
public sealed class DigitModel
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Sequential _net;
    private readonly object _gate = new();

    private DigitModel(Sequential net, string description)
    {
        _net = net;
        _net.Eval();
        Description = description;
    }

    /// <summary>Where the model came from and how good it is, for the page ("trained on …, test accuracy …").</summary>
    public string Description { get; }

    /// <summary>The 21.4.6 architecture in the engine's nn modules (channels first: input [N, 1, 28, 28]).</summary>
    public static Sequential Build(Generator generator) => new(
        new Conv2d(1, 8, 5, generator: generator), new ReLU(), new MaxPool2d(2),
        new Conv2d(8, 16, 5, generator: generator), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(16 * 4 * 4, Mnist.Classes, generator: generator));

    /// <summary>Loads a model saved by <see cref="Save"/>.</summary>
    public static DigitModel Load(string path)
    {
        var net = Build(new Generator(0));
        var state = SafeTensors.Load(path, out var metadata);
        try { net.LoadStateDict(state); }
        catch (ArgumentException e) { throw new InvalidDataException($"DigitModel.Load: {path} does not hold the 21.4.6 convnet: {e.Message}", e); }
        finally { foreach (var t in state.Values) t.Dispose(); }
        return new DigitModel(net, $"loaded from {Path.GetFileName(path)}; {metadata.GetValueOrDefault("description", "no description")}");
    }

    /// <summary>Loads <paramref name="path"/>, or trains a model (see <see cref="Train"/>) and saves it there first.</summary>
    public static DigitModel LoadOrTrain(string path, TextWriter log)
    {
        if (File.Exists(path)) return Load(path);
        log.WriteLine($"chapters serve: no digit model at {path}; training the 21.4.6 convnet on MNIST (one epoch) …");
        var model = Train(log);
        model.Save(path);
        log.WriteLine($"chapters serve: saved the digit model to {path}");
        return Load(path);
    }

    /// <summary>
    /// Trains the convnet with Adam (lr 1e-3), cross-entropy, shuffled batches of 64 for
    /// <paramref name="epochs"/> epoch(s) over the first <paramref name="trainImages"/> MNIST training images.
    /// </summary>
    public static DigitModel Train(TextWriter log, int trainImages = 60_000, int epochs = 1, ulong seed = 0)
    {
        var (fullTrain, test) = Mnist.Load(normalize: true, flatten: false);
        var train = trainImages < fullTrain.Count ? fullTrain.Take(trainImages) : fullTrain;
        var net = Build(new Generator(seed));
        var optimizer = new Adam(net.Parameters(), lr: 1e-3);
        var loader = new DataLoader(train.ToDataset(), batchSize: 64, shuffle: true, seed: seed);
        var sw = Stopwatch.StartNew();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            int step = 0;
            foreach (var (x, y) in loader)
            {
                using (Tensor.Scope())
                {
                    var loss = F.CrossEntropy(net.Forward(x), y);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    optimizer.Step();
                    if (++step % 200 == 0)
                        log.WriteLine($"  epoch {epoch} step {step}/{loader.Count} loss {loss.Item().ToString("F4", Inv)} ({sw.Elapsed.TotalSeconds:F0} s)");
                }
                x.Dispose();
                y.Dispose();
            }
        }
        var model = new DigitModel(net, "");
        double accuracy = model.Accuracy(test);
        log.WriteLine($"  test accuracy {accuracy.ToString("F4", Inv)} after {epochs} epoch(s) on {train.Count} images ({sw.Elapsed.TotalSeconds:F0} s)");
        return new DigitModel(net, $"trained by the engine on {train.Count:N0} MNIST images, {epochs} epoch(s); test accuracy {accuracy.ToString("F4", Inv)}");
    }

    /// <summary>Writes the weights (safetensors, atomically) with the description as metadata.</summary>
    public void Save(string path) =>
        SafeTensors.Save(path, _net.StateDict(), new Dictionary<string, string> { ["description"] = Description });

    /// <summary>Ten class probabilities for one image of <see cref="Mnist.Pixels"/> values in [0, 1].</summary>
    public float[] Predict(float[] pixels)
    {
        if (pixels.Length != Mnist.Pixels)
            throw new ArgumentException($"DigitModel.Predict: expected {Mnist.Pixels} pixels (28×28), got {pixels.Length}.");
        lock (_gate)
        {
            using var scope = Tensor.Scope();
            using var noGrad = Tensor.NoGrad();
            var x = Tensor.FromArray(pixels, [1, 1, Mnist.Side, Mnist.Side]);
            return _net.Forward(x).Softmax().ToArray<float>();
        }
    }

    /// <summary>Fraction of <paramref name="set"/> ([N, 1, 28, 28] images) whose most probable class is the label.</summary>
    public double Accuracy(MnistSet set)
    {
        int correct = 0;
        lock (_gate)
            using (Tensor.NoGrad())
                for (int start = 0; start < set.Count; start += 1000)
                {
                    using var scope = Tensor.Scope();
                    int count = Math.Min(1000, set.Count - start);
                    var predicted = _net.Forward(set.Images.Rows(start, count)).ArgMax(1).ToArray<int>();
                    var labels = set.Labels.Rows(start, count).ToArray<int>();
                    for (int i = 0; i < count; i++) if (predicted[i] == labels[i]) correct++;
                }
        return (double)correct / set.Count;
    }
}
