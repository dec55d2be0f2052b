// Runs kernels.cu on the host, for checking kernels without a GPU: every thread of a block is a
// fiber (ucontext) on the calling OS thread, run in turn up to its next __syncthreads (a real
// barrier: no thread passes it before every live thread of the block has reached it); blocks run one
// after another (so __shared__ can be a static); one launch at a time. Slow and only for small sizes;
// not a model of the GPU's memory, warps or timing. By default blocks and threads run in index order;
// emu_shuffle(seed) makes later launches visit blocks, and threads within each pass, in an order drawn
// from the seed, as a GPU's scheduler would (so atomics add in a different order on each seed). Used by kernels_on_host.cpp and
// driver_on_host.cpp (KernelEmulationTests).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>
#include <sys/mman.h>
#include <ucontext.h>
struct dim3 { unsigned x = 1, y = 1, z = 1; };
inline dim3 threadIdx, blockIdx, blockDim, gridDim;
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
// Fibers never run at the same time, so atomics are plain read-modify-writes.
template <class T> T atomicAdd(T* p, T v) { T o = *p; *p = o + v; return o; }
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long c, unsigned long long v) { auto o = *p; if (o == c) *p = v; return o; }

// ---- the fiber scheduler ----------------------------------------------------------------------
struct EmuFiber { ucontext_t ctx; bool done; dim3 idx; };
inline ucontext_t g_scheduler;
inline EmuFiber* g_fiber;                 // the fiber running now
inline void (*g_body)(void*);             // the kernel call of the current launch
inline void* g_body_arg;
inline std::mutex g_launch;               // one launch at a time (statics are shared by all)
inline constexpr size_t EmuStack = 128 * 1024, EmuMaxThreads = 1024;
inline unsigned long long g_shuffle_seed = 0;   // 0: index order
inline void emu_shuffle(unsigned long long seed) { g_shuffle_seed = seed; }
// A permutation of 0..n−1: the identity, or a Fisher–Yates shuffle driven by a 64-bit LCG from the seed.
inline std::vector<size_t> emu_order(size_t n, unsigned long long& state)
{
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; i++) order[i] = i;
    if (g_shuffle_seed == 0) return order;
    for (size_t i = n; i > 1; i--)
    {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        std::swap(order[i - 1], order[(state >> 33) % i]);
    }
    return order;
}
inline void __syncthreads() { swapcontext(&g_fiber->ctx, &g_scheduler); }
inline void emu_fiber_main() { g_body(g_body_arg); g_fiber->done = true; } // returns to uc_link = scheduler

// Runs f() as the kernel body of every thread of grid g × block b. Returns false (and runs nothing)
// for a shape a real device refuses (more than 1024 threads per block, empty grid or block).
template <class F> bool launch(dim3 g, dim3 b, F f)
{
    std::lock_guard<std::mutex> lock(g_launch);
    size_t nt = (size_t)b.x * b.y * b.z;
    if (nt == 0 || nt > EmuMaxThreads || (size_t)g.x * g.y * g.z == 0) return false;
    static char* stacks = (char*)mmap(nullptr, EmuStack * EmuMaxThreads, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    static std::vector<EmuFiber> fibers(EmuMaxThreads);
    gridDim = g; blockDim = b;
    g_body = [](void* p) { (*(F*)p)(); };
    g_body_arg = &f;
    unsigned long long state = g_shuffle_seed;
    size_t nb = (size_t)g.x * g.y * g.z;
    for (size_t b_ : emu_order(nb, state))
    {
        blockIdx = {(unsigned)(b_ % g.x), (unsigned)(b_ / g.x % g.y), (unsigned)(b_ / ((size_t)g.x * g.y))};
        for (size_t t = 0; t < nt; t++)
        {
            auto& fb = fibers[t];
            fb.done = false;
            fb.idx = {(unsigned)(t % b.x), (unsigned)(t / b.x % b.y), (unsigned)(t / ((size_t)b.x * b.y))};
            getcontext(&fb.ctx);
            fb.ctx.uc_stack.ss_sp = stacks + t * EmuStack;
            fb.ctx.uc_stack.ss_size = EmuStack;
            fb.ctx.uc_link = &g_scheduler;
            makecontext(&fb.ctx, emu_fiber_main, 0);
        }
        // One pass runs every live thread up to its next barrier (or its end).
        auto threads = emu_order(nt, state);
        for (size_t alive = nt; alive > 0;)
            for (size_t t : threads)
            {
                if (fibers[t].done) continue;
                g_fiber = &fibers[t];
                threadIdx = fibers[t].idx;
                swapcontext(&g_scheduler, &fibers[t].ctx);
                if (fibers[t].done) alive--;
            }
    }
    return true;
}
