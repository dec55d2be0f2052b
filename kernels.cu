// kernels.cu — every hand-written CUDA kernel of the engine, one per op of the op table
// (src/Engine/Backends/IBackend.cs), grouped by op family. Names follow the CPU twins:
// IBackend.ReluBackward ↔ relu_backward_f32 / relu_backward_f64. Each kernel is the simplest
// correct version; CudaBackend (src/Kernels/CudaBackend*.cs) launches them and the cross-check
// harness (src/Kernels/Checks) compares every one with the CPU reference.
//
// Build (what `make ptx` runs; PTX ISA 7.8 for compute_80, which a CUDA 13 driver JITs for sm_90):
//   nvcc -ccbin clang-14 -ptx -arch=compute_80 -O3 -fmad=false -o src/Kernels/Ptx/kernels.ptx kernels.cu
// -fmad=false keeps a·b + c as two roundings, like the CPU twins, so elementwise kernels match them
// to the last bit (transcendentals aside); the GEMM kernels ask for fused multiply-adds explicitly.
// Register/spill report for the H100 (what scripts/check-ptx.sh checks):
//   ptxas -arch=sm_90 -v src/Kernels/Ptx/kernels.ptx -o /dev/null
// Without the PTX the backend compiles this file at start-up with NVRTC (KernelLibrary.KernelSource
// inlines the kernels/*.cu it includes), so it includes no system headers.
//
// Launch shapes used in kernels/*.cu:
//   ELEMENTWISE  grid-stride loop; block 256, grid ceil(n/256) capped at 65535·8.
//   PER-ROW      one block per output (row or channel); blockDim a power of two in [32, 256];
//                dynamic shared memory blockDim · sizeof(T) (· 2 where an index rides along).
//   ROWS         PER-ROW with a grid capped at 65535·8 blocks that strides over the rows (reductions, argmax).
//   TILES        the matmul fallback: block 16×16, a 1-D grid that strides over every output tile of
//                every batch (tile counts are 64-bit; no tile count lands on gridDim.y/z).
// Sizes and offsets are 64-bit (long long) wherever a product of dimensions can pass 2^31.

#define FOR_EACH(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)
#define MAX_RANK 8

extern __shared__ __align__(16) unsigned char shared_raw[];

// NaN rules of PyTorch (and the CPU twins): maximum/minimum and the max/min reductions propagate NaN;
// argmax and max pooling pick the first NaN, else the first largest value. max_nan(a, b): a when a > b
// or a is NaN, else b (so a NaN b also wins). beats(v, best): v replaces the best so far.
template <typename T> __device__ __forceinline__ T max_nan(T a, T b) { return (a > b || a != a) ? a : b; }
template <typename T> __device__ __forceinline__ T min_nan(T a, T b) { return (a < b || a != a) ? a : b; }
template <typename T> __device__ __forceinline__ bool beats(T v, T best) { return v > best || (v != v && best == best); }

// Math of either float type, chosen by overload (expf for float, exp for double), so one template
// body serves both; NVRTC and the host emulation resolve them without headers of their own.
__device__ __forceinline__ float exp_t(float v) { return expf(v); }
__device__ __forceinline__ double exp_t(double v) { return exp(v); }
__device__ __forceinline__ float log_t(float v) { return logf(v); }
__device__ __forceinline__ double log_t(double v) { return log(v); }
__device__ __forceinline__ float sqrt_t(float v) { return sqrtf(v); }
__device__ __forceinline__ double sqrt_t(double v) { return sqrt(v); }
__device__ __forceinline__ float abs_t(float v) { return fabsf(v); }
__device__ __forceinline__ double abs_t(double v) { return fabs(v); }
__device__ __forceinline__ float tanh_t(float v) { return tanhf(v); }
__device__ __forceinline__ double tanh_t(double v) { return tanh(v); }
__device__ __forceinline__ float pow_t(float a, float b) { return powf(a, b); }
__device__ __forceinline__ double pow_t(double a, double b) { return pow(a, b); }
__device__ __forceinline__ float fma_t(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double fma_t(double a, double b, double c) { return fma(a, b, c); }
// +∞ of T, from its bit pattern (no header constants).
template <typename T> __device__ __forceinline__ T inf_t();
template <> __device__ __forceinline__ float inf_t<float>() { return __int_as_float(0x7f800000); }
template <> __device__ __forceinline__ double inf_t<double>() { return __longlong_as_double(0x7ff0000000000000LL); }

// The kernels, one file per op family (CpuBackend.X.cs ↔ CudaBackend.X.cs ↔ kernels/x.cu). Each kernel
// is a template (float and double share one body); its entry points are the one-line extern "C"
// functions named <op>_<dtype> that CudaBackend launches, so `grep relu_backward_f32` finds it.
#include "kernels/elementwise.cu"
#include "kernels/reduce.cu"
#include "kernels/linear.cu"
#include "kernels/softmax.cu"
#include "kernels/conv.cu"
#include "kernels/pool.cu"
#include "kernels/batchnorm.cu"
#include "kernels/optim.cu"
#include "kernels/style.cu"
