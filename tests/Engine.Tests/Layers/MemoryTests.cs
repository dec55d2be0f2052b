using Engine.Layers;
using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>Tidy frees temporaries and keeps results and variables; Tensor.Memory() counts per device.</summary>
[NonParallelizable]
public class MemoryTests
{
    [Test]
    public void TidyKeepsTheCountFlatOverAThousandIterations()
    {
        using var v = new Variable(Tensor.Zeros([16]));
        long start = Tensor.Memory()[Device.Cpu].NumTensors;
        long bytes = Tensor.Memory()[Device.Cpu].NumBytes;
        for (int i = 0; i < 1000; i++)
            Tensor.Tidy(() =>
            {
                var a = Tensor.Ones([16]) * 2 + v.Value;
                v.Assign(a.Relu() * 0.5);
            });
        Assert.That(Tensor.Memory()[Device.Cpu].NumTensors, Is.EqualTo(start));
        Assert.That(Tensor.Memory()[Device.Cpu].NumBytes, Is.EqualTo(bytes));
        Assert.That(v.Value.ToDoubleArray(), Has.All.EqualTo(2.0).Within(1e-6)); // the fixed point of v = (2 + v)/2
    }

    [Test]
    public void TidyKeepsTheCudaCountAndBytesFlat()
    {
        if (DeviceRegistry.CudaDeviceCount == 0) Assert.Ignore($"No CUDA device ({DeviceRegistry.CudaUnavailableReason}).");
        var gpu = Device.Cuda(0);
        using var v = new Variable(Tensor.Zeros([16], device: gpu));
        var start = Tensor.Memory()[gpu];
        for (int i = 0; i < 1000; i++)
            Tensor.Tidy(() => v.Assign((Tensor.Ones([16], device: gpu) * 2 + v.Value).Relu() * 0.5));
        var end = Tensor.Memory()[gpu];
        Assert.That((end.NumTensors, end.NumBytes), Is.EqualTo((start.NumTensors, start.NumBytes)));
        Assert.That(gpu.MemoryAllocated, Is.GreaterThanOrEqualTo(end.NumBytes));
        Assert.That(v.Value.Cpu().ToDoubleArray(), Has.All.EqualTo(2.0).Within(1e-6));
    }

    [Test]
    public void TidyReturnsItsResultsAndNeverFreesVariables()
    {
        long start = Tensor.LiveCount;
        Variable? made = null;
        var (a, b) = (Tensor.Ones([2]), Tensor.Ones([3]));
        var kept = Tensor.Tidy(() =>
        {
            made = new Variable(Tensor.Full([4], 3));
            return new List<Tensor> { a + 1, b * 2 };
        });
        Assert.That(kept[0].ToDoubleArray(), Is.EqualTo(new[] { 2.0, 2.0 }));
        Assert.That(kept[1].ToDoubleArray(), Is.EqualTo(new[] { 2.0, 2.0, 2.0 }));
        Assert.That(made!.Value.IsDisposed, Is.False);
        Assert.That(made.Value.ToDoubleArray(), Is.EqualTo(new[] { 3.0, 3.0, 3.0, 3.0 }));
        foreach (var t in kept) t.Dispose();
        made.Dispose();
        a.Dispose();
        b.Dispose();
        Assert.That(Tensor.LiveCount, Is.EqualTo(start));
    }

    [Test]
    public void VariableAssignChecksShapeAndDtype()
    {
        using var v = new Variable(Tensor.Zeros([3]), name: "w");
        Assert.That(Assert.Throws<ArgumentException>(() => v.Assign(Tensor.Zeros([4])))!.Message, Does.Contain("'w'").And.Contain("[3]").And.Contain("[4]"));
        Assert.Throws<ArgumentException>(() => v.Assign(Tensor.Zeros([3], DType.Float64)));
        Assert.Throws<ArgumentException>(() => new Variable(Tensor.Zeros([2], DType.Int32)));
        using var frozen = new Variable(Tensor.Zeros([2], DType.Int32), trainable: false);
        Assert.That(frozen.Trainable, Is.False);
    }

    [Test]
    public void MinimizeFindsAllVariablesOfTheCostWithoutAVarList()
    {
        using var a = new Variable(Tensor.Scalar(3.0, DType.Float64));
        using var b = new Variable(Tensor.Scalar(-2.0, DType.Float64));
        using var c = new Variable(Tensor.Scalar(5.0, DType.Float64), trainable: false);
        var opt = new Sgd(lr: 0.1);
        long start = Tensor.LiveCount;
        for (int i = 0; i < 200; i++) opt.Minimize(() => (a.Value - 1).Square() + (b.Value + c.Value).Square());
        Assert.That(Tensor.LiveCount, Is.EqualTo(start));
        Assert.That(a.Value.Item(), Is.EqualTo(1).Within(1e-9));
        Assert.That(b.Value.Item(), Is.EqualTo(-5).Within(1e-9));
        Assert.That(c.Value.Item(), Is.EqualTo(5));
        using var cost = opt.Minimize(() => (a.Value - 1).Square(), returnCost: true);
        Assert.That(cost!.Item(), Is.LessThan(1e-12));
        Assert.Throws<ArgumentException>(() => opt.Minimize(() => a.Value * Tensor.Ones([2], DType.Float64)));
    }

    [Test]
    public void FitAndPredictLeaveNoTensorsBehind()
    {
        var m = new Sequential(seed: 3);
        m.Add(new Dense(4, activation: "relu", inputShape: [3]));
        m.Add(new Dense(2, activation: "softmax"));
        m.Compile("adam", "categoricalCrossentropy", ["accuracy"]);
        using var x = Tensor.Rand([20, 3]);
        using var y = Tensor.FromArray(Enumerable.Range(0, 40).Select(i => (float)((i / 2 + i) % 2)).ToArray(), [20, 2]);
        m.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        long start = Tensor.LiveCount;
        m.Fit(x, y, epochs: 3, batchSize: 8, verbose: 0);
        Assert.That(Tensor.LiveCount, Is.EqualTo(start));
        m.Predict(x, batchSize: 7).Dispose();
        Assert.That(Tensor.LiveCount, Is.EqualTo(start));
    }
}
