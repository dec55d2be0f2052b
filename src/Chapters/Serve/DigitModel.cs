using System.Diagnostics;
using System.Globalization;
using Engine;
using Engine.Data;
using Chapters.Ch21;
using Engine.Layers;
using Engine.Optim;

namespace Chapters.Serve;

/// <summary>
/// The digit classifier behind the server's /digits page: the book's 21.4.6 convnet in the Keras-style
/// API (conv2d 5×5 ×8 relu → maxPooling2d 2 → conv2d 5×5 ×16 relu → maxPooling2d 2 → flatten →
/// dense 10 softmax, VarianceScaling kernels; 5,994 parameters, channels last: input [N, 28, 28, 1]),
/// trained by the engine on MNIST and kept in the file <see cref="Sequential.Save"/> writes (weights +
/// JSON config): the one `chapters run 21.4.6 --save PATH` writes, or the one <see cref="LoadOrTrain"/> trains. <see cref="Predict"/> takes one 28×28 image (784 values in [0, 1], row by row, ink = 1
/// as in MNIST) and returns the ten class probabilities. One forward pass runs at a time (a lock), so
/// concurrent requests share the model safely.
/// </summary>
public sealed class DigitModel
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Sequential _model;
    private readonly object _gate = new();

    private DigitModel(Sequential model, string description)
    {
        _model = model;
        Description = description;
    }

    /// <summary>Where the model came from and how good it is, for the page.</summary>
    public string Description { get; }

    /// <summary>The 21.4.6 model as the exercise builds it, compiled as it is (Adam lr 0.001, ε 1e-7; categorical cross-entropy).</summary>
    public static Sequential Build(ulong seed = 0)
    {
        var model = Ex21_4_6_LayersConvnet.Build(seed);
        model.Compile(optimizer: new Adam(lr: 0.001, eps: 1e-7), loss: Losses.CategoricalCrossentropy, metrics: ["accuracy"]);
        return model;
    }

    /// <summary>Loads a model saved by <see cref="Save"/> (or by the 21.4.6 exercise) and checks it maps 28×28×1 images to 10 classes.</summary>
    public static DigitModel Load(string path)
    {
        var model = Sequential.Load(path);
        int[] input = model.InputShape ?? [], output = model.OutputShape ?? [];
        if (!input.SequenceEqual([Mnist.Side, Mnist.Side, 1]) || !output.SequenceEqual([Mnist.Classes]))
            throw new InvalidDataException($"DigitModel.Load: {path} holds a model from {Tensor.ShapeString(input)} to {Tensor.ShapeString(output)}; the digit page needs [28, 28, 1] → [10].");
        var meta = Engine.IO.SafeTensors.Load(path, out var metadata);
        foreach (var t in meta.Values) t.Dispose();
        return new DigitModel(model, $"loaded from {Path.GetFileName(path)}; {metadata.GetValueOrDefault(DescriptionKey, $"{model.CountParams():N0} parameters")}");
    }

    /// <summary>Metadata key under which <see cref="Save"/> keeps <see cref="Description"/>.</summary>
    public const string DescriptionKey = "description";

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
    /// Fits the model for <paramref name="epochs"/> epoch(s) in batches of 64 over the first
    /// <paramref name="trainImages"/> MNIST training images and measures its accuracy on the test set.
    /// </summary>
    public static DigitModel Train(TextWriter log, int trainImages = 60_000, int epochs = 1, ulong seed = 0)
    {
        var (fullTrain, test) = Mnist.Load(normalize: true, flatten: false, oneHot: true);
        var train = trainImages < fullTrain.Count ? fullTrain.Take(trainImages) : fullTrain;
        var model = Build(seed);
        var sw = Stopwatch.StartNew();
        var (x, y) = Ex21_4_6_LayersConvnet.Images(train);
        var (testX, testY) = Ex21_4_6_LayersConvnet.Images(test);
        model.Fit(x, y, epochs: epochs, batchSize: 64, verbose: 2, output: log);
        double accuracy = model.Evaluate(testX, testY, batchSize: 1000)["acc"];
        log.WriteLine($"  test accuracy {accuracy.ToString("F4", Inv)} after {epochs} epoch(s) on {train.Count} images ({sw.Elapsed.TotalSeconds:F0} s)");
        return new DigitModel(model, $"trained by the engine (Keras-style Fit, adam) on {train.Count:N0} MNIST images, {epochs} epoch(s); test accuracy {accuracy.ToString("F4", Inv)}");
    }

    /// <summary>Writes the model (weights + config, atomically) with the description as metadata.</summary>
    public void Save(string path)
    {
        _model.Save(path);
        // Sequential.Save writes the config; add the description by rewriting the same tensors atomically.
        var tensors = Engine.IO.SafeTensors.Load(path, out var metadata);
        try
        {
            metadata[DescriptionKey] = Description;
            Engine.IO.SafeTensors.Save(path, tensors, metadata);
        }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }

    /// <summary>Ten class probabilities for one image of <see cref="Mnist.Pixels"/> values in [0, 1].</summary>
    public float[] Predict(float[] pixels)
    {
        if (pixels.Length != Mnist.Pixels)
            throw new ArgumentException($"DigitModel.Predict: expected {Mnist.Pixels} pixels (28×28), got {pixels.Length}.");
        lock (_gate)
        {
            using var scope = Tensor.Scope();
            return _model.Predict(Tensor.FromArray(pixels, [1, Mnist.Side, Mnist.Side, 1])).ToArray<float>();
        }
    }
}
