using Engine.IO.Onnx;
using Engine.Optim;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>
/// OnnxModel.Run in the blocked layout (<see cref="OnnxModel.BlockedLayout"/>): the same values as the NCHW path to
/// float32 rounding, every value handed back in NCHW, convs that do not fit (8 filters, groups) and nodes that cannot
/// take blocked images (Gemm, Concat, Flatten) getting NCHW, and packed weights that follow in-place updates.
/// </summary>
public class OnnxBlockedTests
{
    [SetUp]
    public void NeedsAvx512()
    {
        if (!Nchwc.Available) Assert.Ignore("the blocked layout needs AVX-512");
    }

    /// <summary>
    /// x [N, 3, 12, 11] → Conv(32, 3×3, pad 1) → Relu → r1 → MaxPool(3×3/2, pad 1) → m;  Conv(32, 1×1)(m) → BatchNormalization → c2;
    /// Add(c2, m) → Relu → r2;  Conv(16, group 2)(r2) → g;  Conv(8)(r2) → e (few filters);  Concat(g, e) → cat;
    /// AveragePool(2×2/2)(r2) → a;  GlobalAveragePool(r2) → p → Flatten → Gemm(10) → logits.
    /// </summary>
    private static byte[] Model()
    {
        var gen = new Generator(51);
        Tensor R(int[] shape, double s) => Tensor.Rand(shape, -s, s, generator: gen);
        return new OnnxBuilder(opset: 13)
            .Input("x", [-1, 3, 12, 11])
            .Init("W1", R([32, 3, 3, 3], 0.5)).Init("B1", R([32], 0.2))
            .Init("W2", R([32, 32, 1, 1], 0.2)).Init("B2", R([32], 0.2))
            .Init("S", R([32], 1.0)).Init("Bn", R([32], 0.3)).Init("Mean", R([32], 0.2)).Init("Var", R([32], 0.5) + 0.6)
            .Init("Wg", R([16, 16, 3, 3], 0.1))
            .Init("We", R([8, 32, 3, 3], 0.1))
            .Init("Wf", R([10, 32], 0.3)).Init("Bf", R([10], 0.1))
            .Node("Conv", ["x", "W1", "B1"], ["c1"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["c1"], ["r1"])
            .Node("MaxPool", ["r1"], ["m"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Conv", ["m", "W2", "B2"], ["c2raw"])
            .Node("BatchNormalization", ["c2raw", "S", "Bn", "Mean", "Var"], ["c2"], ("epsilon", 1e-3f))
            .Node("Add", ["c2", "m"], ["s"])
            .Node("Relu", ["s"], ["r2"])
            .Node("Conv", ["r2", "Wg"], ["g"], ("group", 2L), ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Conv", ["r2", "We"], ["e"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Concat", ["g", "e"], ["cat"], ("axis", 1L))
            .Node("AveragePool", ["r2"], ["a"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("GlobalAveragePool", ["r2"], ["p"])
            .Node("Flatten", ["p"], ["f"])
            .Node("Gemm", ["f", "Wf", "Bf"], ["logits"], ("transB", 1L))
            .Output("logits").Output("cat").Output("a")
            .Bytes();
    }

    private static IReadOnlyDictionary<string, Tensor> Run(OnnxModel model, Tensor x, bool blocked, params string[] names)
    {
        model.BlockedLayout = blocked;
        using (Tensor.NoGrad()) return model.Run(x, names);
    }

    [Test]
    public void BlockedRunGivesTheNchwValuesInNchw()
    {
        var model = OnnxModel.Load(Model(), "blocked");
        model.CheckInputShapes = false;
        using var x = Tensor.Randn([2, 3, 12, 11], generator: new Generator(3));
        string[] names = ["logits", "cat", "a", "r1", "m", "c2", "r2", "g", "e"];
        var blocked = Run(model, x, true, names);
        var nchw = Run(model, x, false, names);
        foreach (var name in names)
        {
            Assert.That(blocked[name].Shape, Is.EqualTo(nchw[name].Shape), name);
            Assert.That(Nchwc.IsBlocked(blocked[name]), Is.False, name + " is handed back in NCHW");
            TensorAssert.Close(blocked[name], nchw[name], 1e-5, name + ": blocked vs NCHW");
        }
        Assert.That(blocked["cat"].Shape, Is.EqualTo(new[] { 2, 24, 6, 6 }));
        // Asking only for the outputs lets the Relus and the residual Add run inside the convs, with the same values.
        var fused = Run(model, x, true, "logits", "cat", "a");
        foreach (var name in new[] { "logits", "cat", "a" })
            Assert.That(fused[name].ToArray<float>(), Is.EqualTo(blocked[name].ToArray<float>()), name + ": fused vs unfused, both blocked");
    }

    [Test]
    public void PackedWeightsFollowInPlaceUpdates()
    {
        var model = OnnxModel.Load(Model(), "blocked");
        model.CheckInputShapes = false;
        using var x = Tensor.Randn([1, 3, 12, 11], generator: new Generator(4));
        var before = Run(model, x, true, "r2")["r2"];
        using (Tensor.NoGrad()) model.Weight("W2").MulInPlace(-2.0);
        var afterScale = Run(model, x, true, "r2")["r2"];
        TensorAssert.Close(afterScale, Run(model, x, false, "r2")["r2"], 1e-5, "after MulInPlace");
        Assert.That(afterScale.ToArray<float>(), Is.Not.EqualTo(before.ToArray<float>()));

        // An optimiser step writes W1 in place: the next blocked run packs it again.
        var w1 = model.Weight("W1");
        w1.RequiresGrad = true;
        using (var y = model.Run(x, "r2")["r2"]) y.Sum().Backward();
        new Sgd([w1], 0.5).Step();
        w1.RequiresGrad = false;
        TensorAssert.Close(Run(model, x, true, "r2")["r2"], Run(model, x, false, "r2")["r2"], 1e-5, "after an SGD step");
    }

    [Test]
    public void OffWhileRecordingAndWithoutTheSwitch()
    {
        var model = OnnxModel.Load(Model(), "blocked");
        model.CheckInputShapes = false;
        using var x = Tensor.Randn([1, 3, 12, 11], generator: new Generator(5), requiresGrad: true);
        var recorded = model.Run(x, "logits")["logits"];
        var nchw = Run(model, x, false, "logits")["logits"];
        Assert.That(recorded.ToArray<float>(), Is.EqualTo(nchw.ToArray<float>()), "a recorded run takes the NCHW path");
        recorded.Sum().Backward();
        Assert.That(x.Grad, Is.Not.Null);
    }
}
