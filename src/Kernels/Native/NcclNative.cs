using System.Runtime.InteropServices;

namespace Engine.Kernels.Native;

/// <summary>
/// A thin binding over NCCL's C API (libnccl.so.2): the calls the nccl process group needs. Every call
/// returns an ncclResult_t (0 = ncclSuccess); <see cref="Check"/> turns others into exceptions. Types and
/// constants are those of NCCL's nccl.h (the same since NCCL 2.x; ncclAvg since 2.10).
/// </summary>
internal static partial class NcclNative
{
    /// <summary>Logical library name, resolved by <see cref="NativeLibraries"/> (libnccl.so.2, ENGINE_NCCL_LIBRARY).</summary>
    internal const string Library = "nccl";

    /// <summary>NCCL_UNIQUE_ID_BYTES: the size of ncclUniqueId.</summary>
    internal const int UniqueIdBytes = 128;

    // ncclResult_t
    internal const int Success = 0;
    internal const int InProgress = 7;

    // ncclDataType_t
    internal const int Int32 = 2;
    internal const int Int64 = 4;
    internal const int Float32 = 7;
    internal const int Float64 = 8;

    // ncclRedOp_t
    internal const int Sum = 0;
    internal const int Max = 2;
    internal const int Min = 3;
    internal const int Avg = 4;

    /// <summary>The first version code with ncclAvg: NCCL_VERSION(2, 10, 0).</summary>
    internal const int AvgSince = 21000;

    /// <summary>ncclUniqueId: 128 opaque bytes that rank 0 makes and every rank passes, by value, to ncclCommInitRank.</summary>
    [StructLayout(LayoutKind.Sequential, Size = UniqueIdBytes)]
    internal unsafe struct UniqueId
    {
        /// <summary>char internal[NCCL_UNIQUE_ID_BYTES].</summary>
        public fixed byte Internal[UniqueIdBytes];

        /// <summary>The bytes, to send to the other ranks.</summary>
        public readonly byte[] ToArray()
        {
            var bytes = new byte[UniqueIdBytes];
            for (int i = 0; i < UniqueIdBytes; i++) bytes[i] = Internal[i];
            return bytes;
        }

        /// <summary>An id from bytes received from rank 0.</summary>
        public static UniqueId FromArray(byte[] bytes)
        {
            if (bytes.Length != UniqueIdBytes) throw new ArgumentException($"ncclUniqueId: expected {UniqueIdBytes} bytes; got {bytes.Length}.");
            var id = new UniqueId();
            for (int i = 0; i < UniqueIdBytes; i++) id.Internal[i] = bytes[i];
            return id;
        }
    }

    [LibraryImport(Library, EntryPoint = "ncclGetVersion")]
    internal static partial int GetVersion(out int version);

    [LibraryImport(Library, EntryPoint = "ncclGetUniqueId")]
    internal static partial int GetUniqueId(out UniqueId uniqueId);

    [LibraryImport(Library, EntryPoint = "ncclCommInitRank")]
    internal static partial int CommInitRank(out IntPtr comm, int nranks, UniqueId commId, int rank);

    [LibraryImport(Library, EntryPoint = "ncclCommDestroy")]
    internal static partial int CommDestroy(IntPtr comm);

    [LibraryImport(Library, EntryPoint = "ncclCommAbort")]
    internal static partial int CommAbort(IntPtr comm);

    [LibraryImport(Library, EntryPoint = "ncclCommGetAsyncError")]
    internal static partial int CommGetAsyncError(IntPtr comm, out int asyncError);

    [LibraryImport(Library, EntryPoint = "ncclGetErrorString")]
    private static partial IntPtr GetErrorString(int result);

    [LibraryImport(Library, EntryPoint = "ncclAllReduce")]
    internal static partial int AllReduce(ulong sendbuff, ulong recvbuff, nuint count, int datatype, int op, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclBroadcast")]
    internal static partial int Broadcast(ulong sendbuff, ulong recvbuff, nuint count, int datatype, int root, IntPtr comm, IntPtr stream);

    [LibraryImport(Library, EntryPoint = "ncclGroupStart")]
    internal static partial int GroupStart();

    [LibraryImport(Library, EntryPoint = "ncclGroupEnd")]
    internal static partial int GroupEnd();

    /// <summary>Throws a <see cref="Engine.Distributed.DistributedException"/> naming the call and NCCL's words for <paramref name="result"/>.</summary>
    internal static void Check(int result, string call)
    {
        if (result != Success) throw new Engine.Distributed.DistributedException($"{call} failed: {Describe(result)} (ncclResult_t {result}).");
    }

    /// <summary>NCCL's text for a result code.</summary>
    internal static string Describe(int result)
    {
        var p = GetErrorString(result);
        return p == IntPtr.Zero ? "unknown NCCL error" : Marshal.PtrToStringUTF8(p) ?? "unknown NCCL error";
    }

    /// <summary>"2.27.3" from ncclGetVersion's code: X·10000 + Y·100 + Z since 2.9, X·1000 + Y·100 + Z before.</summary>
    internal static string VersionString(int code) =>
        code >= 10000 ? $"{code / 10000}.{code / 100 % 100}.{code % 100}" : $"{code / 1000}.{code / 100 % 10}.{code % 100}";

    /// <summary>The ncclDataType_t of a dtype.</summary>
    internal static int DataType(DType dtype) => dtype switch
    {
        DType.Float32 => Float32,
        DType.Float64 => Float64,
        DType.Int32 => Int32,
        DType.Int64 => Int64,
        _ => throw new ArgumentException($"nccl: no NCCL data type for {dtype.Name()}."),
    };

    /// <summary>
    /// The ncclRedOp_t for an all-reduce and whether the result must still be divided by the world size:
    /// Avg is ncclAvg from NCCL 2.10 on, else ncclSum followed by a scale.
    /// </summary>
    internal static (int Op, bool DivideAfter) Reduction(Engine.Distributed.AllReduceOp op, int versionCode) => op switch
    {
        Engine.Distributed.AllReduceOp.Sum => (Sum, false),
        Engine.Distributed.AllReduceOp.Max => (Max, false),
        Engine.Distributed.AllReduceOp.Min => (Min, false),
        Engine.Distributed.AllReduceOp.Avg => versionCode >= AvgSince ? (Avg, false) : (Sum, true),
        _ => throw new ArgumentOutOfRangeException(nameof(op), $"nccl: unknown reduction {op}."),
    };
}
