// Runs kernels.cu on the host, for checking kernel index arithmetic without a GPU: every thread of a
// block is a std::thread (so __syncthreads is a real barrier), blocks run one after another (so
// __shared__ can be a static), atomics take a lock. Slow and only for small sizes; not a model of
// the GPU's memory or timing. Used by kernels_on_host.cpp (KernelEmulationTests).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <thread>
#include <barrier>
#include <vector>
#include <mutex>
struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
inline std::barrier<>* g_barrier;
inline std::mutex g_atomic;
inline void __syncthreads() { g_barrier->arrive_and_wait(); }
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(x)
#define __align__(n) __attribute__((aligned(n)))
struct alignas(16) float4 { float x, y, z, w; };
inline float4 make_float4(float a, float b, float c, float d) { return {a, b, c, d}; }
inline float __int_as_float(int i) { float f; memcpy(&f, &i, 4); return f; }
inline float __uint_as_float(unsigned int i) { float f; memcpy(&f, &i, 4); return f; }
inline unsigned int __float_as_uint(float f) { unsigned int i; memcpy(&i, &f, 4); return i; }
inline double __longlong_as_double(long long i) { double f; memcpy(&f, &i, 8); return f; }
template <class T> T atomicAdd(T* p, T v) { std::lock_guard<std::mutex> l(g_atomic); T o = *p; *p = o + v; return o; }
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long c, unsigned long long v) { std::lock_guard<std::mutex> l(g_atomic); auto o = *p; if (o == c) *p = v; return o; }
template <class F> void launch(dim3 g, dim3 b, F f)
{
    gridDim = g; blockDim = b;
    int nt = b.x * b.y * b.z;
    for (unsigned bz = 0; bz < g.z; bz++) for (unsigned by = 0; by < g.y; by++) for (unsigned bx = 0; bx < g.x; bx++)
    {
        std::barrier<> bar(nt); g_barrier = &bar;
        std::vector<std::thread> ts;
        for (unsigned tz = 0; tz < b.z; tz++) for (unsigned ty = 0; ty < b.y; ty++) for (unsigned tx = 0; tx < b.x; tx++)
            ts.emplace_back([&, tx, ty, tz, bx, by, bz] { threadIdx = {tx, ty, tz}; blockIdx = {bx, by, bz}; f(); });
        for (auto& t : ts) t.join();
    }
}
