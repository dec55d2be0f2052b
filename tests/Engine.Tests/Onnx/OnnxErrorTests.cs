using Engine.IO.Onnx;
using Engine.IO.Onnx.Proto;
using NUnit.Framework;

namespace Engine.Tests.Onnx;

/// <summary>Bad, truncated and unsupported ONNX files give a managed exception that names the file, node or operator.</summary>
public class OnnxErrorTests
{
    private static string Fixture(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests/fixtures/onnx", file))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "tests/fixtures/onnx", file);
    }

    private static OnnxBuilder Relu(int opset = 13) => new OnnxBuilder(opset).Input("x", [1, 2]).Node("Relu", ["x"], ["y"]).Output("y");

    [Test]
    public void MissingEmptyAndGarbageFiles()
    {
        Assert.Throws<FileNotFoundException>(() => OnnxModel.Load("/nonexistent/model.onnx"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load([], "empty.onnx"));
        Assert.That(e!.Message, Does.Contain("empty.onnx").And.Contain("empty"));
        var garbage = new byte[300];
        new Random(1).NextBytes(garbage);
        e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(garbage, "garbage.onnx"));
        Assert.That(e!.Message, Does.Contain("garbage.onnx"));
    }

    [Test]
    public void EveryTruncationOfAModelIsAnInvalidDataError()
    {
        var bytes = File.ReadAllBytes(Fixture("tiny_net_opset13.onnx"));
        for (int len = 1; len < bytes.Length; len += 37)
        {
            var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(bytes[..len], $"cut-{len}"), $"truncated at {len} of {bytes.Length} bytes");
            Assert.That(e!.Message, Does.Contain($"cut-{len}").Or.Contain("truncated"), $"truncated at {len}");
        }
    }

    [Test]
    public void ATruncatedResNet18IsAnInvalidDataError()
    {
        var path = Engine.Vision.ResNet18Onnx.ModelPath;
        using var f = File.OpenRead(path);
        var head = new byte[f.Length / 2];
        f.ReadExactly(head);
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(head, "ResNet18-half.onnx"));
        Assert.That(e!.Message, Does.Contain("ResNet18-half.onnx").And.Contain("truncated or corrupt"));
    }

    [Test]
    public void UnsupportedOperatorNamesTheOperatorAndTheNode()
    {
        var bytes = new OnnxBuilder().Input("x", [1, 2]).Node("Erf", ["x"], ["y"]).Output("y").Bytes();
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(bytes));
        Assert.That(e!.Message, Does.Contain("'Erf'").And.Contain("y_node"));
    }

    [Test]
    public void UnsupportedOpsetAndDomain()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(Relu(opset: 6).Bytes()));
        Assert.That(e!.Message, Does.Contain("opset 6"));
        e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(Relu(opset: 99).Bytes()));
        Assert.That(e!.Message, Does.Contain("opset 99"));
        var proto = ModelProto.Parser.ParseFrom(Relu().Bytes());
        proto.Graph.Node[0].Domain = "com.microsoft";
        e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(Google.Protobuf.MessageExtensions.ToByteArray(proto)));
        Assert.That(e!.Message, Does.Contain("com.microsoft").And.Contain("y_node"));
    }

    [Test]
    public void UnsupportedDataTypeNamesTheInitializer()
    {
        var half = new TensorProto { Name = "w16", DataType = (int)TensorProto.Types.DataType.Float16 };
        half.Dims.Add(2);
        half.RawData = Google.Protobuf.ByteString.CopyFrom(new byte[4]);
        var bytes = Relu().InitRaw(half).Bytes();
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(bytes));
        Assert.That(e!.Message, Does.Contain("w16").And.Contain("FLOAT16"));
    }

    [Test]
    public void RawDataOfTheWrongLengthIsCorrupt()
    {
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
        w.Dims.Add(3);
        w.RawData = Google.Protobuf.ByteString.CopyFrom(new byte[8]);
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(Relu().InitRaw(w).Bytes()));
        Assert.That(e!.Message, Does.Contain("'w'").And.Contain("8 bytes").And.Contain("12"));
    }

    [Test]
    public void AnUndefinedValueAndAnUnknownAttributeAreNamed()
    {
        var bytes = new OnnxBuilder().Input("x", [1, 2]).Node("Add", ["x", "ghost"], ["y"]).Output("y").Bytes();
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(bytes));
        Assert.That(e!.Message, Does.Contain("'ghost'").And.Contain("y_node"));
        bytes = new OnnxBuilder().Input("x", [1, 2]).Node("Relu", ["x"], ["y"], ("alpha", 0.1)).Output("y").Bytes();
        var n = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(bytes));
        Assert.That(n!.Message, Does.Contain("'alpha'").And.Contain("y_node"));
    }

    [Test]
    public void RunTimeShapeProblemsNameTheNode()
    {
        var w = Tensor.Ones([2, 3, 3, 3]);
        var bytes = new OnnxBuilder().Input("x", [1, 3, 8, 8]).Init("w", w)
            .Node("Conv", ["x", "w"], ["y"], ("strides", new long[] { 1, 2 })).Output("y").Bytes();
        var model = OnnxModel.Load(bytes);
        var e = Assert.Throws<NotSupportedException>(() => model.Forward(Tensor.Ones([1, 3, 8, 8])));
        Assert.That(e!.Message, Does.Contain("y_node").And.Contain("strides [1, 2]"));
        var a = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Ones([1, 4, 8, 8])));
        Assert.That(a!.Message, Does.Contain("declared as [1, 3, 8, 8]"));
        a = Assert.Throws<ArgumentException>(() => model.Run(Tensor.Ones([1, 3, 8, 8]), "nothing"));
        Assert.That(a!.Message, Does.Contain("'nothing'"));
    }
}
