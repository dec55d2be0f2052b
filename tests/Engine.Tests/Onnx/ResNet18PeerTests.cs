using Chapters.Bench;
using Engine.IO.Onnx;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>
/// bench/resnet18_peer.py (the PyTorch peer of `chapters bench resnet18`) rebuilds a network from the graph
/// the engine exports (<see cref="OnnxGraphExport"/>) and gets the engine's output: a small ResNet-shaped
/// model with the CNTK stem's asymmetric pads [3, 3, 2, 2] and max-pool pads [1, 1, 0, 0] (passed as padding),
/// a stride-1 conv with pads [0, 0, 1, 1] (an explicit pad), BN, Relu, a residual Add and average pooling.
/// Needs /usr/bin/python3 with PyTorch; ignored without it.
/// </summary>
public class ResNet18PeerTests
{
    [Test]
    public void ThePeerRebuildsTheExportedGraphAndMatchesTheEngine()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) Assert.Ignore($"{python} not found");
        var g = new Generator(3);
        var b = new OnnxBuilder(opset: 8).Input("x", [-1, 3, 20, 20]);
        foreach (var (name, shape) in new[] { ("W1", new[] { 8, 3, 7, 7 }), ("W2", new[] { 8, 8, 2, 2 }) })
            b.Init(name, Tensor.Rand(shape, -0.2, 0.2, generator: g));
        foreach (var n in new[] { "s", "t", "m", "v" }) b.Init(n, Tensor.Rand([8], 0.5, 1.5, generator: g));
        var bytes = b
            .Node("Conv", ["x", "W1"], ["c1"], ("strides", new long[] { 2, 2 }), ("pads", new long[] { 3, 3, 2, 2 }), ("kernel_shape", new long[] { 7, 7 }))
            .Node("BatchNormalization", ["c1", "s", "t", "m", "v"], ["bn"], ("epsilon", 1e-5))
            .Node("Relu", ["bn"], ["r"])
            .Node("MaxPool", ["r"], ["p"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 0, 0 }))
            .Node("Conv", ["p", "W2"], ["c2"], ("pads", new long[] { 0, 0, 1, 1 }))
            .Node("Add", ["c2", "p"], ["sum"])
            .Node("AveragePool", ["sum"], ["y"], ("kernel_shape", new long[] { 5, 5 }))
            .Output("y").Bytes();
        var model = OnnxModel.Load(bytes, "small-resnet");
        model.CheckInputShapes = false;
        using var x1 = Tensor.Rand([1, 3, 20, 20], -1, 1, generator: g);
        using var x2 = Tensor.Rand([2, 3, 20, 20], -1, 1, generator: g);
        Tensor y1, y2;
        using (Tensor.NoGrad()) { y1 = model.Forward(x1); y2 = model.Forward(x2); }
        Assert.That(y1.Shape, Is.EqualTo(new[] { 1, 8, 1, 1 }));
        string file = Path.Combine(Path.GetTempPath(), $"resnet18-peer-test-{Environment.ProcessId}.safetensors");
        try
        {
            OnnxGraphExport.Save(file, model, [new("__x1__", x1), new("__y1__", y1), new("__x2__", x2), new("__y2__", y2)], new Dictionary<string, string>(), "test");
            var peer = PeerScript.Run(python, "resnet18_peer.py", 1, ["--file", file, "--repeat", "1", "--batches", "1,2"], "install python3-torch", out var error);
            Assert.That(error, Is.Null);
            if (peer is { } p && p.TryGetProperty("missing", out var why)) Assert.Ignore(why.GetString() ?? "PyTorch missing");
            foreach (var batch in new[] { "1", "2" })
            {
                double? diff = PeerScript.Number(peer, "batches", batch, "rel_diff");
                TestContext.Out.WriteLine($"batch {batch}: PyTorch vs engine max |Δ| / max |y| = {diff:E2}");
                Assert.That(diff, Is.Not.Null.And.LessThan(1e-5), $"batch {batch}");
                Assert.That(PeerScript.Number(peer, "batches", batch, "torch_ms"), Is.GreaterThan(0));
            }
            Assert.That(peer!.Value.GetProperty("network").GetString(), Does.Contain("2 convs").And.Contain("[1]"));
        }
        finally { File.Delete(file); }
    }
}
