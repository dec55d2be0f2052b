using System.Text.RegularExpressions;
using Engine.Layers;
using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>Compile, Fit, Evaluate, Predict, Save and Load of the Keras-style model.</summary>
public class TrainingTests
{
    private static (Tensor X, Tensor Y, Tensor Labels) Blobs(int n, ulong seed)
    {
        var g = new Generator(seed);
        var x = new float[n * 2];
        var y = new float[n * 3];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            labels[i] = c;
            y[i * 3 + c] = 1;
            x[i * 2] = (float)(Math.Cos(2 * Math.PI * c / 3) * 2 + 0.3 * g.NextNormal());
            x[i * 2 + 1] = (float)(Math.Sin(2 * Math.PI * c / 3) * 2 + 0.3 * g.NextNormal());
        }
        return (Tensor.FromArray(x, [n, 2]), Tensor.FromArray(y, [n, 3]), Tensor.FromArray(labels, [n]));
    }

    private static Sequential Classifier(ulong seed)
    {
        var m = new Sequential(seed: seed);
        m.Add(new Dense(8, activation: "relu", inputShape: [2]));
        m.Add(new Dropout(0.1));
        m.Add(new Dense(3, activation: "softmax"));
        return m;
    }

    [Test]
    public void FitLearnsBlobsAndReportsKerasLogs()
    {
        var (x, y, _) = Blobs(300, 1);
        var m = Classifier(2);
        m.Compile("adam", "categoricalCrossentropy", ["accuracy"]);
        var output = new StringWriter();
        var h = m.Fit(x, y, epochs: 30, batchSize: 16, validationSplit: 0.2, output: output);
        Assert.That(h.Values.Keys, Is.EquivalentTo(new[] { "loss", "acc", "val_loss", "val_acc" }));
        Assert.That(h.Epoch, Is.EqualTo(Enumerable.Range(0, 30)));
        Assert.That(h["loss"][^1], Is.LessThan(h["loss"][0] / 3));
        Assert.That(h["val_acc"][^1], Is.GreaterThan(0.95));
        var lines = output.ToString().Split('\n');
        Assert.That(lines[0], Is.EqualTo("Epoch 1/30"));
        Assert.That(lines[1], Does.Match(@"^240/240 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}$"));
        var eval = m.Evaluate(x.Rows(240, 60), y.Rows(240, 60));
        Assert.That(eval["loss"], Is.EqualTo(h["val_loss"][^1]).Within(1e-5));
        Assert.That(eval["acc"], Is.EqualTo(h["val_acc"][^1]));
    }

    [Test]
    public void VerboseZeroPrintsNothingAndTwoPrintsOneLine()
    {
        var (x, y, _) = Blobs(30, 1);
        var m = Classifier(2);
        m.Compile("sgd", "categoricalCrossentropy");
        var quiet = new StringWriter();
        m.Fit(x, y, epochs: 2, verbose: 0, output: quiet);
        Assert.That(quiet.ToString(), Is.Empty);
        var two = new StringWriter();
        m.Fit(x, y, epochs: 1, verbose: 2, output: two);
        Assert.That(Regex.IsMatch(two.ToString(), @"^Epoch 1/1\n - \d+s - loss: \d\.\d{4}\n$"), two.ToString());
    }

    [Test]
    public void SparseLabelsGiveTheSameLossAsOneHot()
    {
        var (x, y, labels) = Blobs(40, 3);
        var a = Classifier(5);
        a.Compile("sgd", "categoricalCrossentropy", ["accuracy"]);
        var b = Sequential.Load(SaveTemp(a));
        b.Compile("sgd", "sparseCategoricalCrossentropy", ["accuracy"]);
        var ea = a.Evaluate(x, y);
        var eb = b.Evaluate(x, labels);
        Assert.That(eb["loss"], Is.EqualTo(ea["loss"]).Within(1e-6));
        Assert.That(eb["acc"], Is.EqualTo(ea["acc"]));
        // Unfused (probabilities clipped like Keras) agrees with the fused softmax form.
        using var p = a.Predict(x);
        using var clipped = Losses.Compute(Losses.CategoricalCrossentropy, y, p);
        Assert.That(clipped.Item(), Is.EqualTo(ea["loss"]).Within(1e-5));
    }

    [Test]
    public void BinaryCrossentropyWithSigmoid()
    {
        var (x, _, labels) = Blobs(90, 4);
        var t = Tensor.FromArray(labels.ToDoubleArray().Select(v => v == 0 ? 1f : 0f).ToArray(), [90, 1]);
        var m = new Sequential(seed: 1);
        m.Add(new Dense(4, activation: "tanh", inputShape: [2]));
        m.Add(new Dense(1, activation: "sigmoid"));
        m.Compile(new RmsProp(lr: 0.01, decayRate: 0.9, eps: 1e-7), "binaryCrossentropy", ["accuracy"]);
        var h = m.Fit(x, t, epochs: 40, batchSize: 10, verbose: 0);
        Assert.That(h["acc"][^1], Is.GreaterThan(0.95));
        using var p = m.Predict(x);
        var pv = p.ToDoubleArray();
        var tv = t.ToDoubleArray();
        double bce = -pv.Select((q, i) => tv[i] * Math.Log(Math.Clamp(q, 1e-7, 1 - 1e-7)) + (1 - tv[i]) * Math.Log(1 - Math.Clamp(q, 1e-7, 1 - 1e-7))).Average();
        Assert.That(m.Evaluate(x, t)["loss"], Is.EqualTo(bce).Within(1e-5));
    }

    [Test]
    public void PredictInBatchesEqualsOneCall()
    {
        var m = SummaryTests.BookConvnet();
        var x = Tensor.Rand([10, 28, 28, 1], generator: new Generator(9));
        using var all = m.Predict(x, batchSize: 10);
        using var parts = m.Predict(x, batchSize: 3);
        Assert.That(parts.ToDoubleArray(), Is.EqualTo(all.ToDoubleArray()).Within(1e-6));
        Assert.That(all.Shape, Is.EqualTo(new[] { 10, 10 }));
        Assert.That(all.Sum(1).ToDoubleArray(), Has.All.EqualTo(1.0).Within(1e-5));
    }

    private static string SaveTemp(Sequential m)
    {
        string path = Path.Combine(Path.GetTempPath(), $"engine-keras-{Guid.NewGuid():N}.safetensors");
        m.Save(path);
        return path;
    }

    [Test]
    public void SaveAndLoadRoundTripConfigAndWeights()
    {
        var m = new Sequential(name: "round_trip", seed: 4);
        m.Add(new Conv2D(3, 3, padding: "same", activation: "relu", inputShape: [6, 6, 2]));
        m.Add(new BatchNormalization());
        m.Add(new MaxPooling2D((2, 2)));
        m.Add(new AveragePooling2D((3, 3), strides: 1));
        m.Add(new Flatten());
        m.Add(new Dropout(0.3));
        m.Add(new Dense(4, activation: "sigmoid", kernelInitializer: new VarianceScaling(2, "fan_out", "uniform"), name: "head"));
        m.GetLayer("head").Trainable = false;
        var x = Tensor.Rand([5, 6, 6, 2], generator: new Generator(1));
        var y = Tensor.Rand([5, 4], generator: new Generator(2));
        m.Compile("adam", "mse");
        m.Fit(x, y, epochs: 2, verbose: 0);
        string path = SaveTemp(m);
        var back = Sequential.Load(path);
        Assert.That(back.ToJson(), Is.EqualTo(m.ToJson()));
        Assert.That(back.Summary(printFn: _ => { }), Is.EqualTo(m.Summary(printFn: _ => { })));
        Assert.That(back.GetLayer("head").Trainable, Is.False);
        Assert.That(back.Predict(x).ToDoubleArray(), Is.EqualTo(m.Predict(x).ToDoubleArray()));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "*.tmp"), Is.Empty);
        File.Delete(path);
    }

    [Test]
    public void LoadRefusesTruncatedAndForeignFiles()
    {
        var m = Classifier(1);
        string path = SaveTemp(m);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 5)]);
        Assert.Throws<InvalidDataException>(() => Sequential.Load(path));
        Engine.IO.SafeTensors.Save(path, [new("w", Tensor.Ones([2]))]);
        Assert.That(Assert.Throws<InvalidDataException>(() => Sequential.Load(path))!.Message, Does.Contain("no model config"));
        File.Delete(path);
        var other = Classifier(1);
        var bad = new Dictionary<string, Tensor> { ["dense_1/kernel:0"] = Tensor.Ones([3, 8]) };
        Assert.That(Assert.Throws<InvalidDataException>(() => other.LoadWeights(bad))!.Message, Does.Contain("dense_1/kernel:0").And.Contain("[3, 8]"));
    }

    [Test]
    public void FrozenWeightsDoNotMove()
    {
        var (x, y, _) = Blobs(30, 1);
        var m = Classifier(3);
        m.GetLayer("dense_1").Trainable = false;
        var before = m.GetLayer("dense_1").Weights[0].Value.ToDoubleArray();
        var head = m.GetLayer("dense_2").Weights[0].Value.ToDoubleArray();
        m.Compile("sgd", "categoricalCrossentropy");
        m.Fit(x, y, epochs: 2, verbose: 0);
        Assert.That(m.GetLayer("dense_1").Weights[0].Value.ToDoubleArray(), Is.EqualTo(before));
        Assert.That(m.GetLayer("dense_2").Weights[0].Value.ToDoubleArray(), Is.Not.EqualTo(head));
    }

    [Test]
    public void DropoutDropsInTrainingAndIsIdentityInPredict()
    {
        var m = new Sequential(seed: 8);
        m.Add(new Dropout(0.25, inputShape: [1000]));
        using var x = Tensor.Ones([4, 1000]);
        using var train = m.Call(x, training: true);
        var v = train.ToDoubleArray();
        double dropped = v.Count(e => e == 0) / (double)v.Length;
        Assert.That(dropped, Is.EqualTo(0.25).Within(0.03));
        Assert.That(v.Where(e => e != 0), Has.All.EqualTo(1 / 0.75).Within(1e-6));
        Assert.That(m.Predict(x).ToDoubleArray(), Has.All.EqualTo(1.0));
    }

    [Test]
    public void NamedOptimizersHaveKerasDefaults()
    {
        var sgd = (Sgd)Sequential.OptimizerByName("sgd");
        var adam = (Adam)Sequential.OptimizerByName("adam");
        var rms = (RmsProp)Sequential.OptimizerByName("rmsprop");
        Assert.That((sgd.LearningRate, adam.LearningRate, adam.Beta1, adam.Beta2, adam.Eps), Is.EqualTo((0.01, 0.001, 0.9, 0.999, 1e-7)));
        Assert.That((rms.LearningRate, rms.DecayRate, rms.Eps), Is.EqualTo((0.001, 0.9, 1e-7)));
    }

    [Test]
    public void InitializersHaveKerasStatistics()
    {
        var g = new Generator(1);
        var glorot = new GlorotUniform().Sample([200, 300], g);
        double limit = Math.Sqrt(6.0 / 500);
        Assert.That(glorot.Max(), Is.LessThanOrEqualTo(limit));
        Assert.That(glorot.Min(), Is.GreaterThanOrEqualTo(-limit));
        Assert.That(Std(glorot), Is.EqualTo(limit / Math.Sqrt(3)).Within(0.01 * limit));
        var he = new HeNormal().Sample([5, 5, 16, 400], g);
        double std = Math.Sqrt(2.0 / (5 * 5 * 16));
        Assert.That(Std(he), Is.EqualTo(std).Within(0.02 * std));
        Assert.That(he.Max(v => Math.Abs(v)), Is.LessThanOrEqualTo(2 * std / 0.87962566103423978 + 1e-12));
        Assert.That(new Zeros().Sample([3, 2], g), Has.All.EqualTo(0.0));
        Assert.That(Initializer.FromName("glorot_uniform"), Is.TypeOf<GlorotUniform>());
    }

    private static double Std(double[] v)
    {
        double mean = v.Average();
        return Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average());
    }
}
