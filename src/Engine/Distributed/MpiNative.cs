using System.Runtime.InteropServices;

namespace Engine.Distributed;

/// <summary>
/// A thin binding over MPICH's C ABI (libmpich.so.12, Debian's <c>libmpich12</c>): just the calls the
/// MPI process group needs. MPICH handles are ints; the constants below are those of MPICH's mpi.h.
/// Every call returns an MPI error code (0 = success); <see cref="Check"/> turns others into exceptions.
/// </summary>
internal static partial class MpiNative
{
    private const string Lib = "libmpich.so.12";

    internal const int CommWorld = 0x44000000;          // MPI_COMM_WORLD
    internal const int Float = 0x4c00040a;              // MPI_FLOAT
    internal const int Double = 0x4c00080b;             // MPI_DOUBLE
    internal const int Int = 0x4c000405;                // MPI_INT
    internal const int LongLong = 0x4c000809;           // MPI_LONG_LONG_INT
    internal const int OpMax = 0x58000001;              // MPI_MAX
    internal const int OpMin = 0x58000002;              // MPI_MIN
    internal const int OpSum = 0x58000003;              // MPI_SUM
    internal const int ErrorsReturn = 0x54000001;       // MPI_ERRORS_RETURN
    internal const int ThreadSerialized = 2;            // MPI_THREAD_SERIALIZED
    internal static readonly IntPtr InPlace = new(-1);  // MPI_IN_PLACE

    [LibraryImport(Lib, EntryPoint = "MPI_Init_thread")]
    internal static partial int InitThread(IntPtr argc, IntPtr argv, int required, out int provided);

    [LibraryImport(Lib, EntryPoint = "MPI_Initialized")]
    internal static partial int Initialized(out int flag);

    [LibraryImport(Lib, EntryPoint = "MPI_Finalized")]
    internal static partial int Finalized(out int flag);

    [LibraryImport(Lib, EntryPoint = "MPI_Finalize")]
    internal static partial int Finalize();

    [LibraryImport(Lib, EntryPoint = "MPI_Comm_rank")]
    internal static partial int CommRank(int comm, out int rank);

    [LibraryImport(Lib, EntryPoint = "MPI_Comm_size")]
    internal static partial int CommSize(int comm, out int size);

    [LibraryImport(Lib, EntryPoint = "MPI_Comm_set_errhandler")]
    internal static partial int CommSetErrhandler(int comm, int errhandler);

    [LibraryImport(Lib, EntryPoint = "MPI_Allreduce")]
    internal static partial int Allreduce(IntPtr sendbuf, IntPtr recvbuf, int count, int datatype, int op, int comm);

    [LibraryImport(Lib, EntryPoint = "MPI_Bcast")]
    internal static partial int Bcast(IntPtr buffer, int count, int datatype, int root, int comm);

    [LibraryImport(Lib, EntryPoint = "MPI_Barrier")]
    internal static partial int Barrier(int comm);

    [LibraryImport(Lib, EntryPoint = "MPI_Abort")]
    internal static partial int Abort(int comm, int errorcode);

    [LibraryImport(Lib, EntryPoint = "MPI_Error_string")]
    private static unsafe partial int ErrorString(int errorcode, byte* text, out int length);

    [LibraryImport(Lib, EntryPoint = "MPI_Get_library_version")]
    private static unsafe partial int GetLibraryVersion(byte* text, out int length);

    /// <summary>Throws a <see cref="DistributedException"/> naming the call and MPI's own words for <paramref name="code"/>.</summary>
    internal static void Check(int code, string call)
    {
        if (code != 0) throw new DistributedException($"{call} failed: {Describe(code)} (MPI error {code}).");
    }

    /// <summary>MPI's text for an error code.</summary>
    internal static unsafe string Describe(int code)
    {
        byte* buf = stackalloc byte[512];
        return ErrorString(code, buf, out int n) == 0 ? System.Text.Encoding.ASCII.GetString(buf, n).Trim() : "unknown MPI error";
    }

    /// <summary>"MPICH Version: 4.0.2 …", first line.</summary>
    internal static unsafe string LibraryVersion()
    {
        byte* buf = stackalloc byte[8192];
        Check(GetLibraryVersion(buf, out int n), "MPI_Get_library_version");
        return System.Text.Encoding.ASCII.GetString(buf, n).Split('\n')[0].Replace('\t', ' ').Trim();
    }
}
