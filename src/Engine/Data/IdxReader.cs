using System.Buffers.Binary;

namespace Engine.Data;

/// <summary>
/// Reads the IDX files of MNIST (uncompressed): a big-endian header — magic 0x00000803 then count,
/// rows, columns for images; magic 0x00000801 then count for labels — followed by unsigned bytes.
/// The magic number, the dimensions and the file size are all checked; a missing file gives a
/// <see cref="FileNotFoundException"/>, anything else wrong an <see cref="InvalidDataException"/>,
/// each naming the file, what was expected and what came.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (type 0x08, 3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (type 0x08, 1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an image file (idx3-ubyte): [count, rows, columns] bytes.</summary>
    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = Read(path, ImagesMagic, "images (idx3-ubyte)", ["image count", "rows", "columns"]);
        return new IdxImages(dims[0], dims[1], dims[2], data);
    }

    /// <summary>Reads a label file (idx1-ubyte): [count] bytes.</summary>
    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic, "labels (idx1-ubyte)", ["label count"]).Data;

    private static (int[] Dims, byte[] Data) Read(string path, int magic, string kind, string[] dimNames)
    {
        DataFolder.Require(path, $"IDX {kind}");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long length = stream.Length;
        int header = 4 + 4 * dimNames.Length;
        var head = new byte[header];
        int got = stream.ReadAtLeast(head, header, throwOnEndOfStream: false);
        if (got >= 4)
        {
            int found = BinaryPrimitives.ReadInt32BigEndian(head);
            if (found != magic)
            {
                string hint = (found & unchecked((int)0xFFFFFF00)) == 0x1f8b0800 ? " (this looks like a gzip file; decompress it first)" : "";
                throw new InvalidDataException($"IDX {kind} file '{path}': expected magic number 0x{magic:X8} but found 0x{found:X8}{hint}.");
            }
        }
        if (length < header)
            throw new InvalidDataException(
                $"IDX {kind} file '{path}': expected a header of {header} bytes but the file has only {length} bytes (truncated). " +
                "Delete it and run `make data` again.");
        var dims = new int[dimNames.Length];
        // The product in big integers: three 31-bit dimensions can pass 2⁶³ and wrap a long.
        System.Numerics.BigInteger bigBody = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4 + 4 * i));
            if (dims[i] < 0)
                throw new InvalidDataException($"IDX {kind} file '{path}': the {dimNames[i]} must be ≥ 0 but the header holds {dims[i]}.");
            bigBody *= dims[i];
        }
        var expected = header + bigBody;
        if (length != expected)
            throw new InvalidDataException(
                $"IDX {kind} file '{path}': the header gives dimensions [{string.Join(", ", dims)}], which need {expected} bytes, " +
                $"but the file has {length} bytes ({(length < expected ? "truncated" : "trailing data")}). Delete it and run `make data` again.");
        long body = (long)bigBody;
        if (body > Array.MaxLength)
            throw new InvalidDataException($"IDX {kind} file '{path}': {body} elements are more than one array can hold.");
        var data = new byte[body];
        stream.ReadExactly(data);
        return (dims, data);
    }
}
