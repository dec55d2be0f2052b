using System.Buffers.Binary;
using System.Text;

namespace Engine.Layers;

/// <summary>
/// keras.callbacks.TensorBoard: writes an event file "events.out.tfevents.&lt;seconds&gt;.&lt;host&gt;" in
/// <see cref="LogDir"/> that TensorBoard reads — one scalar per logged value per epoch (tags "loss", "acc",
/// "val_loss", "val_acc", step = epoch). The file is a TFRecord stream: each record is
/// [length u64 LE][masked CRC32C of the length u32][Event protobuf][masked CRC32C of the data u32], the first
/// Event holding file_version "brain.Event:2". Each epoch's records are flushed to disk as they are written.
/// </summary>
public sealed class TensorBoard : Callback
{
    private FileStream? _file;

    /// <summary>Logs into <paramref name="logDir"/> (created if missing).</summary>
    public TensorBoard(string logDir = "./logs")
    {
        LogDir = string.IsNullOrWhiteSpace(logDir) ? throw new ArgumentException("TensorBoard: logDir is empty.") : logDir;
    }

    /// <summary>The folder of the event file.</summary>
    public string LogDir { get; }

    /// <summary>The event file being written (after training starts).</summary>
    public string? FilePath { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        Directory.CreateDirectory(LogDir);
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        string name = $"events.out.tfevents.{(long)now}.{Environment.MachineName}";
        FilePath = Path.Combine(LogDir, name);
        for (int i = 1; File.Exists(FilePath); i++) FilePath = Path.Combine(LogDir, $"{name}.{i}");
        _file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteRecord(EventProto.FileVersion(now));
        _file.Flush(flushToDisk: true);
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (_file is null) return;
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        foreach (var (tag, value) in logs) WriteRecord(EventProto.Scalar(now, epoch, tag, (float)value));
        _file.Flush(flushToDisk: true);
    }

    /// <inheritdoc/>
    public override void OnTrainEnd()
    {
        _file?.Dispose();
        _file = null;
    }

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        _file!.Write(header);
        _file.Write(data);
        _file.Write(footer);
    }
}

/// <summary>The few protobuf messages of tensorflow/core/util/event.proto and summary.proto an event file needs.</summary>
internal static class EventProto
{
    /// <summary>Event { wall_time = 1 (double); file_version = 3 (string) }.</summary>
    internal static byte[] FileVersion(double wallTime)
    {
        var w = new MemoryStream();
        Double(w, 1, wallTime);
        Bytes(w, 3, Encoding.UTF8.GetBytes("brain.Event:2"));
        return w.ToArray();
    }

    /// <summary>Event { wall_time = 1; step = 2 (int64); summary = 5 { value = 1 { tag = 1; simple_value = 2 (float) } } }.</summary>
    internal static byte[] Scalar(double wallTime, long step, string tag, float value)
    {
        var v = new MemoryStream();
        Bytes(v, 1, Encoding.UTF8.GetBytes(tag));
        Key(v, 2, 5);
        Span<byte> f = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(f, value);
        v.Write(f);
        var summary = new MemoryStream();
        Bytes(summary, 1, v.ToArray());
        var e = new MemoryStream();
        Double(e, 1, wallTime);
        Key(e, 2, 0);
        Varint(e, (ulong)step);
        Bytes(e, 5, summary.ToArray());
        return e.ToArray();
    }

    private static void Key(Stream s, int field, int wireType) => Varint(s, (ulong)(field << 3 | wireType));

    private static void Varint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    private static void Double(Stream s, int field, double v)
    {
        Key(s, field, 1);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, v);
        s.Write(b);
    }

    private static void Bytes(Stream s, int field, byte[] data)
    {
        Key(s, field, 2);
        Varint(s, (ulong)data.Length);
        s.Write(data);
    }
}

/// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and TFRecord's mask ((crc ≫ 15 | crc ≪ 17) + 0xa282ead8).</summary>
internal static class Crc32C
{
    private static readonly uint[] Table = MakeTable();

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>The masked CRC TFRecord stores.</summary>
    internal static uint Masked(ReadOnlySpan<byte> data)
    {
        uint c = Compute(data);
        return unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u);
    }
}
