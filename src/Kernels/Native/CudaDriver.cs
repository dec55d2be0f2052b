using System.Runtime.InteropServices;

namespace Engine.Kernels.Native;

/// <summary>
/// The CUDA driver API (libcuda.so.1, installed with the NVIDIA driver), the few entry points the
/// engine uses. Every function returns a CUresult; <see cref="Check"/> turns a failure into a
/// <see cref="CudaException"/> naming the error and the operation.
/// </summary>
internal static partial class CudaDriver
{
    internal const string Library = "cuda";

    [LibraryImport(Library)] internal static partial int cuInit(uint flags);
    [LibraryImport(Library)] internal static partial int cuDriverGetVersion(out int version);
    [LibraryImport(Library)] internal static partial int cuDeviceGetCount(out int count);
    [LibraryImport(Library)] internal static partial int cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Library)] internal static unsafe partial int cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Library)] internal static partial int cuDeviceTotalMem_v2(out nuint bytes, int device);
    [LibraryImport(Library)] internal static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
    [LibraryImport(Library)] internal static partial int cuDevicePrimaryCtxRetain(out IntPtr context, int device);
    [LibraryImport(Library)] internal static partial int cuDevicePrimaryCtxRelease_v2(int device);
    [LibraryImport(Library)] internal static partial int cuCtxSetCurrent(IntPtr context);
    [LibraryImport(Library)] internal static partial int cuCtxSynchronize();

    [LibraryImport(Library)] internal static partial int cuMemAlloc_v2(out ulong pointer, nuint bytes);
    [LibraryImport(Library)] internal static partial int cuMemFree_v2(ulong pointer);
    [LibraryImport(Library)] internal static partial int cuMemGetInfo_v2(out nuint free, out nuint total);
    [LibraryImport(Library)] internal static unsafe partial int cuMemcpyHtoD_v2(ulong dst, void* src, nuint bytes);
    [LibraryImport(Library)] internal static unsafe partial int cuMemcpyDtoH_v2(void* dst, ulong src, nuint bytes);
    [LibraryImport(Library)] internal static partial int cuMemcpyHtoDAsync_v2(ulong dst, IntPtr src, nuint bytes, IntPtr stream);
    [LibraryImport(Library)] internal static partial int cuMemcpyDtoHAsync_v2(IntPtr dst, ulong src, nuint bytes, IntPtr stream);
    [LibraryImport(Library)] internal static partial int cuMemHostRegister_v2(IntPtr pointer, nuint bytes, uint flags);
    [LibraryImport(Library)] internal static partial int cuMemHostUnregister(IntPtr pointer);
    [LibraryImport(Library)] internal static partial int cuMemcpyDtoDAsync_v2(ulong dst, ulong src, nuint bytes, IntPtr stream);
    [LibraryImport(Library)] internal static partial int cuMemsetD8Async(ulong dst, byte value, nuint count, IntPtr stream);

    [LibraryImport(Library)] internal static unsafe partial int cuModuleLoadDataEx(out IntPtr module, void* image, uint numOptions, int* options, void** optionValues);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] internal static partial int cuModuleGetFunction(out IntPtr function, IntPtr module, string name);
    [LibraryImport(Library)] internal static partial int cuModuleUnload(IntPtr module);
    [LibraryImport(Library)] internal static partial int cuFuncGetAttribute(out int value, int attribute, IntPtr function);
    [LibraryImport(Library)] internal static unsafe partial int cuLaunchKernel(IntPtr function, uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ, uint sharedBytes, IntPtr stream, void** parameters, void** extra);

    [LibraryImport(Library)] internal static partial int cuStreamCreate(out IntPtr stream, uint flags);
    [LibraryImport(Library)] internal static partial int cuStreamDestroy_v2(IntPtr stream);
    [LibraryImport(Library)] internal static partial int cuStreamSynchronize(IntPtr stream);
    [LibraryImport(Library)] internal static partial int cuEventCreate(out IntPtr evt, uint flags);
    [LibraryImport(Library)] internal static partial int cuEventRecord(IntPtr evt, IntPtr stream);
    [LibraryImport(Library)] internal static partial int cuEventSynchronize(IntPtr evt);
    [LibraryImport(Library)] internal static partial int cuEventQuery(IntPtr evt);
    [LibraryImport(Library)] internal static partial int cuEventElapsedTime(out float milliseconds, IntPtr start, IntPtr end);
    [LibraryImport(Library)] internal static partial int cuEventDestroy_v2(IntPtr evt);
    [LibraryImport(Library)] internal static partial int cuGetErrorName(int error, out IntPtr name);

    /// <summary>CUDA_ERROR_NOT_READY: cuEventQuery's "the work before the event is still running".</summary>
    internal const int ErrorNotReady = 600;

    /// <summary>CUDA_ERROR_NO_DEVICE: the driver is there but sees no GPU (or CUDA_VISIBLE_DEVICES hides them all).</summary>
    internal const int ErrorNoDevice = 100;

    /// <summary>Throws a <see cref="CudaException"/> unless <paramref name="result"/> is CUDA_SUCCESS.</summary>
    internal static void Check(int result, string operation)
    {
        if (result != 0) throw new CudaException(result, ErrorName(result), operation);
    }

    /// <summary>The CUresult's name (CUDA_ERROR_OUT_OF_MEMORY …), from the driver when it knows it.</summary>
    internal static string ErrorName(int result)
    {
        try
        {
            if (cuGetErrorName(result, out IntPtr p) == 0 && p != IntPtr.Zero) return Marshal.PtrToStringUTF8(p) ?? Fallback(result);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return Fallback(result);
    }

    private static string Fallback(int result) => result switch
    {
        1 => "CUDA_ERROR_INVALID_VALUE",
        2 => "CUDA_ERROR_OUT_OF_MEMORY",
        3 => "CUDA_ERROR_NOT_INITIALIZED",
        35 => "CUDA_ERROR_INSUFFICIENT_DRIVER",
        100 => "CUDA_ERROR_NO_DEVICE",
        101 => "CUDA_ERROR_INVALID_DEVICE",
        200 => "CUDA_ERROR_INVALID_IMAGE",
        209 => "CUDA_ERROR_NO_BINARY_FOR_GPU",
        218 => "CUDA_ERROR_INVALID_PTX",
        222 => "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
        500 => "CUDA_ERROR_NOT_FOUND",
        700 => "CUDA_ERROR_ILLEGAL_ADDRESS",
        701 => "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
        702 => "CUDA_ERROR_LAUNCH_TIMEOUT",
        719 => "CUDA_ERROR_LAUNCH_FAILED",
        _ => $"CUresult {result}",
    };
}
