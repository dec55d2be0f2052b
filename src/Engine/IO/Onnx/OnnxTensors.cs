using System.Buffers.Binary;
using Engine.IO.Onnx.Proto;
using DataType = Engine.IO.Onnx.Proto.TensorProto.Types.DataType;

namespace Engine.IO.Onnx;

/// <summary>
/// ONNX TensorProto ↔ engine values: FLOAT and DOUBLE become float tensors; INT64 and INT32 become
/// host arrays of long (shapes and axes for Reshape and friends). Data comes from raw_data (little
/// endian) or the typed repeated fields; any other data type, external data or a wrong element count
/// is an error naming the tensor.
/// </summary>
internal static class OnnxTensors
{
    /// <summary>True for the data types that become float tensors.</summary>
    public static bool IsFloat(TensorProto p) => (DataType)p.DataType is DataType.Float or DataType.Double;

    /// <summary>True for the data types that become host integer arrays.</summary>
    public static bool IsInteger(TensorProto p) => (DataType)p.DataType is DataType.Int64 or DataType.Int32;

    /// <summary>The dims as int[], checked to be ≥ 0 and to fit an int.</summary>
    public static int[] Shape(TensorProto p, string where)
    {
        var shape = new int[p.Dims.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            long d = p.Dims[i];
            if (d < 0 || d > int.MaxValue)
                throw new InvalidDataException($"ONNX: tensor '{p.Name}' ({where}) has an invalid dimension {d} in dims [{string.Join(", ", p.Dims)}].");
            shape[i] = (int)d;
        }
        return shape;
    }

    /// <summary>A FLOAT (→ float32) or DOUBLE (→ float64) TensorProto as a CPU tensor.</summary>
    public static Tensor ToTensor(TensorProto p, string where)
    {
        CheckStoredInline(p, where);
        var shape = Shape(p, where);
        long n = Tensor.SizeOf(shape);
        switch ((DataType)p.DataType)
        {
            case DataType.Float:
            {
                float[] data;
                if (p.HasRawData) data = ReadRaw(p, n, 4, where, (s) => BinaryPrimitives.ReadSingleLittleEndian(s));
                else data = CheckCount(p, p.FloatData.ToArray(), n, where);
                return Tensor.FromArray(data, shape);
            }
            case DataType.Double:
            {
                double[] data;
                if (p.HasRawData) data = ReadRaw(p, n, 8, where, (s) => BinaryPrimitives.ReadDoubleLittleEndian(s));
                else data = CheckCount(p, p.DoubleData.ToArray(), n, where);
                return Tensor.FromArray(data, shape);
            }
            default:
                throw Unsupported(p, where, "float or double");
        }
    }

    /// <summary>An INT64 or INT32 TensorProto as a flat host array of long.</summary>
    public static long[] ToInt64s(TensorProto p, string where)
    {
        CheckStoredInline(p, where);
        long n = Tensor.SizeOf(Shape(p, where));
        return (DataType)p.DataType switch
        {
            DataType.Int64 => p.HasRawData
                ? ReadRaw(p, n, 8, where, (s) => BinaryPrimitives.ReadInt64LittleEndian(s))
                : CheckCount(p, p.Int64Data.ToArray(), n, where),
            DataType.Int32 => p.HasRawData
                ? ReadRaw(p, n, 4, where, (s) => (long)BinaryPrimitives.ReadInt32LittleEndian(s))
                : CheckCount(p, p.Int32Data.Select(v => (long)v).ToArray(), n, where),
            _ => throw Unsupported(p, where, "int64 or int32"),
        };
    }

    /// <summary>A float tensor as a FLOAT/DOUBLE TensorProto with raw_data (for writing models).</summary>
    public static TensorProto FromTensor(string name, Tensor t)
    {
        var p = new TensorProto { Name = name };
        p.Dims.AddRange(t.Shape.Select(d => (long)d));
        if (t.DType == DType.Float32)
        {
            p.DataType = (int)DataType.Float;
            var bytes = new byte[t.Size * 4];
            var v = t.ToArray<float>();
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), v[i]);
            p.RawData = Google.Protobuf.ByteString.CopyFrom(bytes);
        }
        else if (t.DType == DType.Float64)
        {
            p.DataType = (int)DataType.Double;
            p.DoubleData.AddRange(t.ToArray<double>());
        }
        else throw new NotSupportedException($"ONNX: cannot write tensor '{name}' of dtype {t.DType.Name()}; expected float32 or float64.");
        return p;
    }

    /// <summary>The ONNX name of a data type code (FLOAT, INT64, …), or its number when unknown.</summary>
    public static string TypeName(int code) =>
        Enum.IsDefined(typeof(DataType), code) ? ((DataType)code).ToString().ToUpperInvariant() : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void CheckStoredInline(TensorProto p, string where)
    {
        if (p.DataLocation == TensorProto.Types.DataLocation.External)
            throw new NotSupportedException($"ONNX: tensor '{p.Name}' ({where}) keeps its data in an external file; only models with the weights inside the .onnx file are supported.");
        if (p.Segment is not null)
            throw new NotSupportedException($"ONNX: tensor '{p.Name}' ({where}) is split into segments, which is not supported.");
    }

    private static T[] ReadRaw<T>(TensorProto p, long n, int size, string where, Func<ReadOnlySpan<byte>, T> read)
    {
        var raw = p.RawData.Span;
        if (raw.Length != n * size)
            throw new InvalidDataException($"ONNX: tensor '{p.Name}' ({where}) has {raw.Length} bytes of raw data, but its dims [{string.Join(", ", p.Dims)}] need {n * size} ({TypeName(p.DataType)}); the file is truncated or corrupt.");
        var data = new T[n];
        for (int i = 0; i < data.Length; i++) data[i] = read(raw.Slice(i * size, size));
        return data;
    }

    private static T[] CheckCount<T>(TensorProto p, T[] data, long n, string where)
    {
        if (data.LongLength != n)
            throw new InvalidDataException($"ONNX: tensor '{p.Name}' ({where}) holds {data.Length} values, but its dims [{string.Join(", ", p.Dims)}] need {n}; the file is truncated or corrupt.");
        return data;
    }

    private static NotSupportedException Unsupported(TensorProto p, string where, string expected) =>
        new($"ONNX: tensor '{p.Name}' ({where}) has data type {TypeName(p.DataType)}, which is not supported here; expected {expected}.");
}
