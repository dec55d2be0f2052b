// A stand-in for libcuda.so.1 that runs kernels.cu on the host (shim.h): the entry points of
// src/Kernels/Native/CudaDriver.cs, with "device" memory from the host heap and cuLaunchKernel calling
// the host-compiled kernel with its arguments unpacked from the void** array, as the driver does.
// Loaded by the engine instead of the real driver when ENGINE_CUDA_DRIVER names it, so the whole
// CudaBackend (launch shapes, argument order, the caching allocator, the bad-label report) runs
// unchanged; KernelEmulationTests runs `chapters gpu-check --values` over it.
// Built by KernelEmulationTests: clang++-14 -std=c++20 -shared -fPIC, with KERNELS_CU the copy of
// kernels.cu whose `extern __shared__` buffer is a static array, and KERNEL_TABLE a file of K(name)
// lines, one per `extern "C" __global__` kernel of the preprocessed kernels.cu.
#include "shim.h"
#include KERNELS_CU
#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace
{
    // Calls f with its arguments read from p[i], each pointing at a value of f's i-th parameter type.
    template <class... A, size_t... I> void call(void (*f)(A...), void** p, dim3 g, dim3 b, std::index_sequence<I...>)
    {
        std::tuple<std::remove_cvref_t<A>...> args{*static_cast<std::remove_cvref_t<A>*>(p[I])...};
        launch(g, b, [&] { f(std::get<I>(args)...); });
    }
    template <class... A> void call(void (*f)(A...), void** p, dim3 g, dim3 b) { call(f, p, g, b, std::index_sequence_for<A...>{}); }

    struct Kernel { const char* name; void (*run)(void**, dim3, dim3); };
#define K(name) {#name, [](void** p, dim3 g, dim3 b) { call(name, p, g, b); }},
    const Kernel Table[] = {
#include KERNEL_TABLE
    };
#undef K

    constexpr int Success = 0, InvalidValue = 1, OutOfMemory = 2, InvalidDevice = 101, NotFound = 500;
    using Clock = std::chrono::steady_clock;
}

extern "C"
{
int cuInit(unsigned) { return Success; }
int cuDriverGetVersion(int* v) { *v = 12000; return Success; }
int cuDeviceGetCount(int* n) { *n = 1; return Success; }
int cuDeviceGet(int* d, int ordinal) { *d = ordinal; return ordinal == 0 ? Success : InvalidDevice; }
int cuDeviceGetName(char* name, int length, int) { snprintf(name, length, "host emulation of kernels.cu"); return Success; }
int cuDeviceTotalMem_v2(size_t* bytes, int) { *bytes = (size_t)4 << 30; return Success; }
int cuDeviceGetAttribute(int* v, int attribute, int)
{
    switch (attribute)
    {
        case 1: *v = 1024; break;            // max threads per block
        case 8: *v = 49152; break;           // shared memory per block without opt-in
        case 16: *v = 1; break;              // multiprocessors
        case 75: *v = 8; break;              // compute capability 8.0 (the PTX target)
        case 76: *v = 0; break;
        default: *v = 0; break;
    }
    return Success;
}
int cuDevicePrimaryCtxRetain(void** context, int) { static int primary; *context = &primary; return Success; }
int cuDevicePrimaryCtxRelease_v2(int) { return Success; }
int cuCtxSetCurrent(void*) { return Success; }
int cuCtxSynchronize() { return Success; }

int cuMemAlloc_v2(unsigned long long* p, size_t bytes)
{
    void* m = aligned_alloc(256, (std::max(bytes, (size_t)1) + 255) / 256 * 256);
    if (!m) return OutOfMemory;
    *p = (unsigned long long)(uintptr_t)m;
    return Success;
}
int cuMemFree_v2(unsigned long long p) { free((void*)(uintptr_t)p); return Success; }
int cuMemGetInfo_v2(size_t* free, size_t* total) { *free = *total = (size_t)4 << 30; return Success; }
int cuMemcpyHtoD_v2(unsigned long long dst, const void* src, size_t n) { memcpy((void*)(uintptr_t)dst, src, n); return Success; }
int cuMemcpyDtoH_v2(void* dst, unsigned long long src, size_t n) { memcpy(dst, (const void*)(uintptr_t)src, n); return Success; }
int cuMemcpyDtoDAsync_v2(unsigned long long dst, unsigned long long src, size_t n, void*) { memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, n); return Success; }
int cuMemsetD8Async(unsigned long long dst, unsigned char value, size_t n, void*) { memset((void*)(uintptr_t)dst, value, n); return Success; }

int cuModuleLoadDataEx(void** module, const void*, unsigned, int*, void**) { static int kernels; *module = &kernels; return Success; }
int cuModuleGetFunction(void** function, void*, const char* name)
{
    for (const auto& k : Table)
        if (strcmp(k.name, name) == 0) { *function = (void*)&k; return Success; }
    return NotFound;
}
int cuModuleUnload(void*) { return Success; }
int cuFuncGetAttribute(int* v, int, void*) { *v = 0; return Success; }

// Checks the launch shape as a device does (block ≤ 1024 threads, grid y/z ≤ 65535, dynamic shared
// memory ≤ 48 KiB without opt-in), then runs the kernel to completion before returning.
int cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, void*, void** params, void**)
{
    if (gx == 0 || gy == 0 || gz == 0 || gy > 65535 || gz > 65535) return InvalidValue;
    if (bx == 0 || by == 0 || bz == 0 || bz > 64 || (size_t)bx * by * bz > 1024) return InvalidValue;
    if (shared > 49152) return InvalidValue;
    static_cast<const Kernel*>(function)->run(params, {gx, gy, gz}, {bx, by, bz});
    return Success;
}

int cuStreamCreate(void** stream, unsigned) { static int streams; *stream = &streams; return Success; }
int cuStreamDestroy_v2(void*) { return Success; }
int cuStreamSynchronize(void*) { return Success; }
int cuEventCreate(void** e, unsigned) { *e = new Clock::time_point(Clock::now()); return Success; }
int cuEventRecord(void* e, void*) { *static_cast<Clock::time_point*>(e) = Clock::now(); return Success; }
int cuEventSynchronize(void*) { return Success; }
int cuEventQuery(void*) { return Success; }
int cuEventElapsedTime(float* ms, void* start, void* end)
{
    *ms = std::chrono::duration<float, std::milli>(*static_cast<Clock::time_point*>(end) - *static_cast<Clock::time_point*>(start)).count();
    return Success;
}
int cuEventDestroy_v2(void* e) { delete static_cast<Clock::time_point*>(e); return Success; }
int cuGetErrorName(int, const char** name) { *name = nullptr; return InvalidValue; }

// Page-locked host memory and the async copies that use it (src/Kernels/HostCopies.cs): every launch
// above runs to completion before returning, so an async copy is an ordered memcpy and registering
// host memory has nothing to do.
int cuMemHostRegister_v2(void*, size_t, unsigned) { return Success; }
int cuMemHostUnregister(void*) { return Success; }
int cuMemcpyHtoDAsync_v2(unsigned long long dst, const void* src, size_t n, void*) { memcpy((void*)(uintptr_t)dst, src, n); return Success; }
int cuMemcpyDtoHAsync_v2(void* dst, unsigned long long src, size_t n, void*) { memcpy(dst, (const void*)(uintptr_t)src, n); return Success; }
}
