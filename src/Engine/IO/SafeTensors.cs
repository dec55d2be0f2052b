using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Engine.IO;

/// <summary>
/// The safetensors checkpoint format (Hugging Face): an 8-byte little-endian header length N, N bytes
/// of UTF-8 JSON mapping each name to {"dtype", "shape", "data_offsets": [begin, end]} (plus an optional
/// "__metadata__" object of strings), then the raw little-endian element bytes; offsets count from the
/// end of the header and the tensors tile the data area exactly. Files are written atomically (temp
/// file, flush to disk, rename) and read back with every field checked, so a truncated or corrupt file
/// is refused with an <see cref="InvalidDataException"/> that says what is wrong.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted (the reference implementation's limit, 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (in order) to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("SafeTensors.Save: the path is empty; pass a file name such as \"model.safetensors\".", nameof(path));
        var items = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var (name, t) in items)
        {
            if (name == "__metadata__") throw new ArgumentException("SafeTensors.Save: \"__metadata__\" is reserved and cannot name a tensor.");
            if (!names.Add(name)) throw new ArgumentException($"SafeTensors.Save: the name \"{name}\" appears twice.");
            if (t.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), $"SafeTensors.Save: tensor \"{name}\" was disposed.");
        }

        // Header: names in the given order, offsets back to back.
        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in items)
            {
                long bytes = t.Size * t.DType.SizeOf();
                w.WriteStartObject(name);
                w.WriteString("dtype", DTypeCode(t.DType));
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');

        TempFiles.WriteAtomically("SafeTensors.Save", path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            fs.Write(len);
            header.Position = 0;
            header.CopyTo(fs);
            foreach (var (_, t) in items) fs.Write(ToBytes(t));
        });
    }

    /// <summary>Reads every tensor of a safetensors file onto <paramref name="device"/> (CPU by default), in file order.</summary>
    public static OrderedDictionary<string, Tensor> Load(string path, Device? device = null) => Load(path, out _, device);

    /// <summary>Reads every tensor and the "__metadata__" strings of a safetensors file.</summary>
    public static OrderedDictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata, Device? device = null)
    {
        byte[] file;
        try { file = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new FileNotFoundException($"SafeTensors.Load: no file at {path}.", path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"SafeTensors.Load: cannot read {path}: {ex.Message}", ex);
        }
        metadata = new Dictionary<string, string>();
        if (file.Length < 8)
            throw Bad(path, $"the file is {file.Length} bytes long, shorter than the 8-byte header length; it is truncated or not a safetensors file");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (n > MaxHeaderBytes)
            throw Bad(path, $"the header length field says {n} bytes, more than the {MaxHeaderBytes} allowed; the file is corrupt or not a safetensors file");
        if ((long)n > file.Length - 8)
            throw Bad(path, $"the header length field says {n} bytes but only {file.Length - 8} follow; the file is truncated");
        int headerLen = (int)n;
        var data = file.AsMemory(8 + headerLen);

        var specs = new List<(string Name, DType DType, int[] Shape, long Begin, long End)>();
        try
        {
            using var doc = JsonDocument.Parse(file.AsMemory(8, headerLen));
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "the header is not a JSON object");
            var seen = new HashSet<string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name)) throw Bad(path, $"the header names \"{prop.Name}\" twice");
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "\"__metadata__\" is not an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw Bad(path, $"metadata \"{m.Name}\" is not a string");
                    continue;
                }
                var v = prop.Value;
                if (v.ValueKind != JsonValueKind.Object
                    || !v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
                    || !v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array
                    || !v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
                    throw Bad(path, $"tensor \"{prop.Name}\" needs dtype (string), shape (array) and data_offsets ([begin, end])");
                var dtype = ParseDType(dt.GetString()!, path, prop.Name);
                var shape = sh.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out int x) && x >= 0 ? x
                    : throw Bad(path, $"tensor \"{prop.Name}\" has a bad dimension {d.GetRawText()} (expected an integer in 0..{int.MaxValue})")).ToArray();
                long begin = Offset(off[0]), end = Offset(off[1]);
                if (begin < 0 || end < begin) throw Bad(path, $"tensor \"{prop.Name}\" has bad data_offsets [{off[0].GetRawText()}, {off[1].GetRawText()}] (expected two integers 0 ≤ begin ≤ end)");
                long elements;
                try { elements = Tensor.CheckedSize("SafeTensors.Load", shape); }
                catch (ArgumentException ex) { throw Bad(path, $"tensor \"{prop.Name}\": {ex.Message.TrimEnd('.')}"); }
                long expected = elements * dtype.SizeOf();
                if (end - begin != expected)
                    throw Bad(path, $"tensor \"{prop.Name}\" ({dtype.Name()} {Tensor.ShapeString(shape)}) needs {expected} bytes but its data_offsets span {end - begin}");
                specs.Add((prop.Name, dtype, shape, begin, end));
            }
        }
        catch (JsonException ex)
        {
            throw Bad(path, $"the header is not valid JSON ({ex.Message})");
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json reports a name or string that is not valid UTF-8 only when it is read.
            throw Bad(path, $"the header is not valid UTF-8 JSON ({ex.Message})");
        }

        // The tensors must tile the data area exactly: no gaps, no overlaps, nothing missing at the end.
        long cursor = 0;
        foreach (var s in specs.OrderBy(s => s.Begin))
        {
            if (s.Begin != cursor)
                throw Bad(path, $"tensor \"{s.Name}\" starts at byte {s.Begin} of the data but the previous one ends at {cursor} (gap or overlap)");
            cursor = s.End;
        }
        if (cursor != data.Length)
            throw Bad(path, cursor > data.Length
                ? $"the header describes {cursor} data bytes but only {data.Length} follow; the file is truncated"
                : $"{data.Length - cursor} bytes follow the last tensor's data; the file is corrupt");

        var result = new OrderedDictionary<string, Tensor>();
        foreach (var s in specs)
            result[s.Name] = FromBytes(data.Span[(int)s.Begin..(int)s.End], s.DType, s.Shape, device ?? Device.Cpu);
        return result;
    }

    private static InvalidDataException Bad(string path, string what) => new($"SafeTensors.Load: {path}: {what}.");

    /// <summary>A data offset: a JSON integer ≥ 0, else −1 (strings, fractions and numbers past 2⁶³ included).</summary>
    private static long Offset(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= 0 ? v : -1;

    /// <summary>The safetensors dtype code: F32, F64, I32, I64.</summary>
    public static string DTypeCode(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int32 => "I32",
        DType.Int64 => "I64",
        _ => throw new ArgumentException($"SafeTensors: dtype {dtype} has no safetensors code."),
    };

    private static DType ParseDType(string code, string path, string name) => code switch
    {
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        "I32" => DType.Int32,
        "I64" => DType.Int64,
        _ => throw Bad(path, $"tensor \"{name}\" has dtype \"{code}\"; this engine reads F32, F64, I32 and I64"),
    };

    /// <summary>The tensor's elements as little-endian bytes (copied to the host first).</summary>
    private static byte[] ToBytes(Tensor t)
    {
        var bytes = new byte[t.Size * t.DType.SizeOf()];
        switch (t.DType)
        {
            case DType.Float32: Pack<float>(t.ToArray<float>(), bytes); break;
            case DType.Float64: Pack<double>(t.ToArray<double>(), bytes); break;
            case DType.Int32: Pack<int>(t.ToArray<int>(), bytes); break;
            default: Pack<long>(t.ToArray<long>(), bytes); break;
        }
        return bytes;
    }

    private static void Pack<T>(T[] values, byte[] bytes) where T : unmanaged
    {
        var raw = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        raw.CopyTo(bytes);
        if (!BitConverter.IsLittleEndian) SwapEach(bytes, System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
    }

    private static Tensor FromBytes(ReadOnlySpan<byte> raw, DType dtype, int[] shape, Device device)
    {
        var copy = raw.ToArray();
        if (!BitConverter.IsLittleEndian) SwapEach(copy, dtype.SizeOf());
        return dtype switch
        {
            DType.Float32 => Tensor.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(copy).ToArray(), shape, device),
            DType.Float64 => Tensor.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(copy).ToArray(), shape, device),
            DType.Int32 => Tensor.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(copy).ToArray(), shape, device),
            _ => Tensor.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(copy).ToArray(), shape, device),
        };
    }

    private static void SwapEach(byte[] bytes, int width)
    {
        for (int i = 0; i < bytes.Length; i += width) Array.Reverse(bytes, i, width);
    }
}
