using Engine.IO.Onnx;
using Engine.Vision;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>
/// OnnxModel.Run's inference fusion: a Conv whose output only a Relu reads runs as one conv with the ReLU in
/// its output pass, a Conv whose output only a residual Add reads adds the residual (and that Add's Relu) in its output
/// pass, and an Add followed by such a Relu runs as one pass. The fused run gives the unfused
/// run's outputs bit for bit (the same sums, then the same max(0, ·)); an output read by two nodes, asked for, or
/// computed while a gradient is recorded is not fused. The NCHW path is tested here (BlockedLayout off where bits are
/// compared with the recorded run); OnnxBlockedTests covers the blocked layout.
/// </summary>
public class OnnxFuseTests
{
    /// <summary>
    /// x → Conv(32, bias) → Relu → r1;  Conv(32, no bias)(r1) → c2; Add(c2, r1) → Relu → r2;
    /// Conv(40, bias)(r2) → c3 read by Relu and by Add (not fused) → y;  Conv(8)(r2) → Relu → r4 (few filters).
    /// </summary>
    private static byte[] SmallModel()
    {
        var g = new Generator(31);
        return new OnnxBuilder(opset: 13)
            .Input("x", [-1, 3, 10, 9])
            .Init("W1", Tensor.Rand([32, 3, 3, 3], -0.5, 0.5, generator: g)).Init("B1", Tensor.Rand([32], -0.2, 0.2, generator: g))
            .Init("W2", Tensor.Rand([32, 32, 3, 3], -0.1, 0.1, generator: g))
            .Init("W3", Tensor.Rand([40, 32, 1, 1], -0.3, 0.3, generator: g)).Init("B3", Tensor.Rand([40], -0.2, 0.2, generator: g))
            .Init("W4", Tensor.Rand([8, 32, 3, 3], -0.1, 0.1, generator: g))
            .Node("Conv", ["x", "W1", "B1"], ["c1"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "W2"], ["c2"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Add", ["c2", "r1"], ["a"])
            .Node("Relu", ["a"], ["r2"])
            .Node("Conv", ["r2", "W3", "B3"], ["c3"], ("strides", new long[] { 2, 2 }))
            .Node("Relu", ["c3"], ["r3"])
            .Node("Add", ["c3", "r3"], ["y"])
            .Node("Conv", ["r2", "W4"], ["c4"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["c4"], ["r4"])
            .Output("y").Output("r4")
            .Bytes();
    }

    /// <summary>How many nodes of each operator a run executed (from the executor's node timer).</summary>
    private static Dictionary<string, int> CountNodes(OnnxModel model, Func<IReadOnlyDictionary<string, Tensor>> run, out IReadOnlyDictionary<string, Tensor> results)
    {
        var counts = new Dictionary<string, int>();
        model.NodeTimer = (node, _) => counts[node.OpType] = counts.GetValueOrDefault(node.OpType) + 1;
        try { results = run(); }
        finally { model.NodeTimer = null; }
        return counts;
    }

    [Test]
    public void ConvReluPairsFuseAndGiveTheUnfusedBits()
    {
        var model = OnnxModel.Load(SmallModel(), "conv-relu");
        model.CheckInputShapes = false;
        model.BlockedLayout = false;
        using var x = Tensor.Randn([2, 3, 10, 9], generator: new Generator(8));
        IReadOnlyDictionary<string, Tensor> fused, unfused, recorded;
        Dictionary<string, int> fusedCounts, unfusedCounts;
        using (Tensor.NoGrad())
        {
            fusedCounts = CountNodes(model, () => model.Run(x, "y", "r4"), out fused);
            // Asking for the Conv and Add outputs keeps every pair as two nodes.
            unfusedCounts = CountNodes(model, () => model.Run(x, "y", "r4", "c1", "c4", "a"), out unfused);
        }
        Assert.That(fusedCounts["Relu"], Is.EqualTo(1), "only the Relu beside c3's second reader runs; c1's, c4's and the residual Add's are fused");
        Assert.That(fusedCounts["Conv"], Is.EqualTo(4));
        Assert.That(fusedCounts["Add"], Is.EqualTo(1), "the residual Add(c2, r1) runs inside c2's conv; Add(c3, r3) runs");
        Assert.That(unfusedCounts["Relu"], Is.EqualTo(4));
        foreach (var name in new[] { "y", "r4" })
            Assert.That(fused[name].ToArray<float>(), Is.EqualTo(unfused[name].ToArray<float>()), name + ": fused vs unfused");
        Assert.That(fused["y"].Shape, Is.EqualTo(new[] { 2, 40, 5, 5 }));

        // Under autograd the nodes stay separate (Relu's backward needs its own node) and the values are the same.
        x.RequiresGrad = true;
        var recordedCounts = CountNodes(model, () => model.Run(x, "y", "r4"), out recorded);
        Assert.That(recordedCounts["Relu"], Is.EqualTo(4), "recording: no fusion");
        Assert.That(recorded["y"].ToArray<float>(), Is.EqualTo(fused["y"].ToArray<float>()));
        recorded["y"].Sum().Backward();
        Assert.That(x.Grad, Is.Not.Null);
    }

    /// <summary>
    /// x → Conv(W1, pad 1) → a;  Conv(W2, 1×1)(x) → p;  Add(a, p) → Relu → r (the later conv, p's, takes the Add and Relu);
    /// Conv(W3, pad 1)(r) → c;  Conv(W4, 1×1)(r) → d;  Add(c, r) → y (r is read by d's conv between c's conv and the Add:
    /// not fused);  Add(d, y) → z (y is made after d's conv: not fused).
    /// </summary>
    private static byte[] ShortcutModel()
    {
        var g = new Generator(37);
        return new OnnxBuilder(opset: 13)
            .Input("x", [-1, 4, 9, 11])
            .Init("W1", Tensor.Rand([32, 4, 3, 3], -0.3, 0.3, generator: g)).Init("B1", Tensor.Rand([32], -0.2, 0.2, generator: g))
            .Init("W2", Tensor.Rand([32, 4, 1, 1], -0.3, 0.3, generator: g))
            .Init("W3", Tensor.Rand([32, 32, 3, 3], -0.1, 0.1, generator: g)).Init("W4", Tensor.Rand([32, 32, 1, 1], -0.2, 0.2, generator: g))
            .Node("Conv", ["x", "W1", "B1"], ["a"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Conv", ["x", "W2"], ["p"])
            .Node("Add", ["a", "p"], ["s"])
            .Node("Relu", ["s"], ["r"])
            .Node("Conv", ["r", "W3"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Conv", ["r", "W4"], ["d"])
            .Node("Add", ["c", "r"], ["y"])
            .Node("Add", ["d", "y"], ["z"])
            .Output("z")
            .Bytes();
    }

    [Test]
    public void ResidualAddsFuseIntoTheLaterConvWhereTheResidualIsReady()
    {
        var model = OnnxModel.Load(ShortcutModel(), "shortcut");
        model.CheckInputShapes = false;
        using var x = Tensor.Randn([2, 4, 9, 11], generator: new Generator(9));
        IReadOnlyDictionary<string, Tensor> fused, unfused;
        Dictionary<string, int> fusedCounts, unfusedCounts;
        using (Tensor.NoGrad())
        {
            fusedCounts = CountNodes(model, () => model.Run(x, "z"), out fused);
            unfusedCounts = CountNodes(model, () => model.Run(x, "z", "a", "p", "c", "d", "s"), out unfused);
        }
        Assert.That(unfusedCounts["Add"], Is.EqualTo(3));
        Assert.That(fusedCounts["Add"], Is.EqualTo(2), "Add(a, p) runs inside p's conv; Add(c, r) (r read between) and Add(d, y) (y made after d) run");
        Assert.That(fusedCounts.GetValueOrDefault("Relu"), Is.Zero);
        Assert.That(fusedCounts["Conv"], Is.EqualTo(4));
        Assert.That(fused["z"].ToArray<float>(), Is.EqualTo(unfused["z"].ToArray<float>()), "fused vs unfused");
    }

    [Test]
    public void ResNet18FusedEqualsUnfusedBitForBitAndOnnxRuntime()
    {
        var model = ResNet18Onnx.Load().FoldBatchNorm();
        model.CheckInputShapes = false;
        string[] BeforeRelu(string op) => model.Nodes.Where(n => n.OpType == op && model.Nodes.Count(r => r.Inputs.Contains(n.Outputs[0])) == 1
            && model.Nodes.Single(r => r.Inputs.Contains(n.Outputs[0])).OpType == "Relu").Select(n => n.Outputs[0]).ToArray();
        string[] convsBeforeRelu = BeforeRelu("Conv"), addsBeforeRelu = BeforeRelu("Add");
        TestContext.Out.WriteLine($"ResNet18 (BN folded): {convsBeforeRelu.Length} Conv and {addsBeforeRelu.Length} Add outputs read by a Relu alone");
        Assert.That(convsBeforeRelu, Has.Length.EqualTo(10));
        Assert.That(addsBeforeRelu, Has.Length.EqualTo(9), "this CNTK export's 19 Relu nodes: 10 after a Conv, 9 after an Add");
        // Conv outputs read by a residual Add alone: asking for them keeps the Conv and the Add apart.
        string[] convsBeforeAdd = model.Nodes.Where(n => n.OpType == "Conv" && model.Nodes.Count(r => r.Inputs.Contains(n.Outputs[0])) == 1
            && model.Nodes.Single(r => r.Inputs.Contains(n.Outputs[0])).OpType == "Add").Select(n => n.Outputs[0]).ToArray();
        Assert.That(convsBeforeAdd, Has.Length.EqualTo(12), "9 residual Adds: 6 of a conv and the block input, 3 of a conv and a projection conv");
        string output = ResNet18Onnx.OutputName;
        using var x = Tensor.Rand([2, 3, 224, 224], -120, 135, generator: new Generator(41));
        IReadOnlyDictionary<string, Tensor> fused, unfused;
        Dictionary<string, int> fusedCounts, unfusedCounts;
        using (Tensor.NoGrad())
        {
            fusedCounts = CountNodes(model, () => model.Run(x, output), out fused);
            unfusedCounts = CountNodes(model, () => model.Run(x, [output, .. convsBeforeRelu, .. addsBeforeRelu, .. convsBeforeAdd]), out unfused);
        }
        Assert.That(unfusedCounts["Add"], Is.EqualTo(9));
        Assert.That(fusedCounts.GetValueOrDefault("Add"), Is.Zero, "every residual Add of ResNet18 runs inside a conv");
        Assert.That(unfusedCounts["Relu"] - fusedCounts.GetValueOrDefault("Relu"), Is.EqualTo(convsBeforeRelu.Length + addsBeforeRelu.Length), "one Relu node fewer per fused pair");
        Assert.That(fusedCounts.GetValueOrDefault("Relu"), Is.Zero, "every Relu of ResNet18 is fused");
        Assert.That(fused[output].ToArray<float>(), Is.EqualTo(unfused[output].ToArray<float>()), "ResNet18 batch 2: fused vs unfused");

        using var x1 = Tensor.Rand([1, 3, 224, 224], -120, 135, generator: new Generator(42));
        var peer = OnnxRuntimePeer.Run(File.ReadAllBytes(ResNet18Onnx.ModelPath), ResNet18Onnx.InputName, x1, output)[output];
        Tensor y1;
        using (Tensor.NoGrad()) y1 = model.Forward(x1);
        TensorAssert.Close(y1, Tensor.FromArray(peer.Values, peer.Shape), 1e-5, "ResNet18 batch 1, fused, vs ONNX Runtime");
    }
}
