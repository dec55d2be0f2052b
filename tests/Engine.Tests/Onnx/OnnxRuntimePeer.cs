using Engine.IO.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Engine.Tests.Onnx;

/// <summary>ONNX Runtime (CPU) on the same file: the exactness peer. Intermediate values are made graph outputs first.</summary>
public static class OnnxRuntimePeer
{
    /// <summary>The model bytes with extra graph outputs <paramref name="names"/> (float tensors of any shape).</summary>
    public static byte[] WithOutputs(byte[] model, IEnumerable<string> names)
    {
        var proto = ModelProto.Parser.ParseFrom(model);
        foreach (var n in names)
        {
            if (proto.Graph.Output.Any(o => o.Name == n)) continue;
            proto.Graph.Output.Add(new ValueInfoProto
            {
                Name = n,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }
        return Google.Protobuf.MessageExtensions.ToByteArray(proto);
    }

    /// <summary>Runs the model on one float input; returns each named output as (shape, values).</summary>
    public static Dictionary<string, (int[] Shape, float[] Values)> Run(byte[] model, string inputName, Tensor input, params string[] outputs)
    {
        var bytes = WithOutputs(model, outputs);
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var x = new DenseTensor<float>(input.ToArray<float>(), input.Shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, x)], outputs);
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return (t.Dimensions.ToArray(), t.ToArray());
        });
    }
}
