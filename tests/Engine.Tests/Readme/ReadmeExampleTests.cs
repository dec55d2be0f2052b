using Engine.Data;
using Engine.Nn;
using Engine.Optim;
using Engine.Scratch;
using NUnit.Framework;

namespace Engine.Tests.Readme;

/// <summary>
/// The code block of README.md's "What user code looks like" runs here, verbatim: the test checks
/// that the README still shows exactly the region below, so the README's example always compiles and runs.
/// </summary>
public class ReadmeExampleTests
{
    [Test]
    public void ReadmeExampleRunsAndLearns()
    {
        #region readme
        // Chapter 24, from scratch: the book's names, plain loops.
        var (train, test) = Mnist.Load(normalize: true, oneHot: true);
        var net = new TwoLayerNet(inputSize: 784, hiddenSize: 50, outputSize: 10);
        var optimizer = new Sgd(lr: 0.1);
        var rng = new Generator(seed: 0);
        for (int i = 0; i < 600; i++)
        {
            using var scope = Tensor.Scope();            // frees this step's temporaries (tf.tidy)
            var (x, t) = train.SampleBatch(100, rng);
            optimizer.Update(net.Params, net.Gradient(x, t));
        }
        double accuracy = net.Accuracy(test.Images, test.Labels);

        // Chapter 20, autograd on whichever device is present.
        var device = Device.CudaIfAvailable();
        var w = Tensor.Randn([3, 1], device: device, generator: rng, requiresGrad: true);
        var xs = Tensor.Randn([64, 3], device: device, generator: rng);
        var ys = xs.MatMul(Tensor.FromArray(new float[] { 1, -2, 3 }, [3, 1], device));
        for (int i = 0; i < 200; i++)
        {
            var loss = (xs.MatMul(w) - ys).Pow(2).Mean();
            w.ZeroGrad();
            loss.Backward();
            using (Tensor.NoGrad()) w.SubInPlace(w.Grad! * 0.1);
        }

        // Chapters 20 and 25, modules and optimisers.
        var model = new Sequential(new Linear(3, 16), new ReLU(), new Linear(16, 1)).To(device);
        var adam = new Adam(model.Parameters(), lr: 0.01);
        var mse = new MSELoss();
        for (int epoch = 0; epoch < 300; epoch++)
        {
            var loss = mse.Forward(model.Forward(xs), ys);
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
        }
        #endregion

        Assert.That(accuracy, Is.GreaterThan(0.85), "600 SGD steps of the TwoLayerNet");
        Assert.That(w.ToDoubleArray(), Is.EqualTo(new[] { 1.0, -2, 3 }).Within(1e-3), "autograd linear fit");
        Assert.That(mse.Forward(model.Forward(xs), ys).Item(), Is.LessThan(0.05), "Sequential + Adam fit");
    }

    [Test]
    public void ReadmeShowsExactlyTheTestedExample()
    {
        string root = DataFolder.FindRepositoryRoot(AppContext.BaseDirectory)
            ?? throw new InvalidOperationException("Engine.sln not found above the test binaries.");
        string here = File.ReadAllText(Path.Combine(root, "tests/Engine.Tests/Readme/ReadmeExampleTests.cs"));
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string region = here.Split("#region readme\n")[1].Split("#endregion")[0];
        string block = readme.Split("```csharp\n")[1].Split("```")[0];
        Assert.That(Normalize(block), Is.EqualTo(Normalize(region)), "README.md's ```csharp block must equal the tested region of this file");
    }

    private static string Normalize(string code)
    {
        var lines = code.Replace("\r", "").Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        int indent = lines.Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l[indent..].TrimEnd()));
    }
}
