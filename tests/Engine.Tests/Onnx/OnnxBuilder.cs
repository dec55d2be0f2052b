using Engine.IO.Onnx.Proto;
using DataType = Engine.IO.Onnx.Proto.TensorProto.Types.DataType;

namespace Engine.Tests.Onnx;

/// <summary>Writes small ONNX models in tests: inputs, initializers, nodes with attributes, outputs.</summary>
internal sealed class OnnxBuilder
{
    private readonly ModelProto _model;

    public OnnxBuilder(int opset = 13, long irVersion = 8)
    {
        _model = new ModelProto { IrVersion = irVersion, ProducerName = "engine-tests", Graph = new GraphProto { Name = "test" } };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public OnnxBuilder Input(string name, int[] shape, DataType type = DataType.Float)
    {
        _model.Graph.Input.Add(ValueInfo(name, shape, type));
        return this;
    }

    public OnnxBuilder Output(string name)
    {
        _model.Graph.Output.Add(ValueInfo(name, null, DataType.Float));
        return this;
    }

    public OnnxBuilder Init(string name, Tensor t)
    {
        _model.Graph.Initializer.Add(Engine.IO.Onnx.OnnxTensors.FromTensor(name, t));
        return this;
    }

    public OnnxBuilder InitInts(string name, params long[] values)
    {
        var p = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        p.Dims.Add(values.Length);
        p.Int64Data.AddRange(values);
        _model.Graph.Initializer.Add(p);
        return this;
    }

    public OnnxBuilder InitRaw(TensorProto p)
    {
        _model.Graph.Initializer.Add(p);
        return this;
    }

    /// <summary>A node; attributes are long (INT), float/double (FLOAT), long[] (INTS) or string (STRING).</summary>
    public OnnxBuilder Node(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = outputs[0] + "_node" };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        foreach (var (name, value) in attributes)
        {
            var a = new AttributeProto { Name = name };
            switch (value)
            {
                case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
                case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
                case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
                case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
                case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
                case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = Google.Protobuf.ByteString.CopyFromUtf8(s); break;
                default: throw new ArgumentException($"attribute {name}: unsupported value {value}");
            }
            n.Attribute.Add(a);
        }
        _model.Graph.Node.Add(n);
        return this;
    }

    public byte[] Bytes() => Google.Protobuf.MessageExtensions.ToByteArray(_model);

    private static ValueInfoProto ValueInfo(string name, int[]? shape, DataType type)
    {
        var t = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (shape is not null)
        {
            t.Shape = new TensorShapeProto();
            foreach (int d in shape) t.Shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = t } };
    }
}
