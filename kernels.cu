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
// Without the PTX the backend compiles this file at start-up with NVRTC, so it includes no headers.
//
// Launch shapes used below:
//   ELEMENTWISE  grid-stride loop; block 256, grid ceil(n/256) capped at 65535·8.
//   PER-ROW      one block per output (row or channel); blockDim a power of two in [32, 256];
//                dynamic shared memory blockDim · sizeof(T) (· 2 where an index rides along).

#define FOR_EACH(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)
#define MAX_RANK 8

extern __shared__ __align__(16) unsigned char shared_raw[];

// NaN rules of PyTorch (and the CPU twins): maximum/minimum and the max/min reductions propagate NaN;
// argmax and max pooling pick the first NaN, else the first largest value. max_nan(a, b): a when a > b
// or a is NaN, else b (so a NaN b also wins). beats(v, best): v replaces the best so far.
template <typename T> __device__ __forceinline__ T max_nan(T a, T b) { return (a > b || a != a) ? a : b; }
template <typename T> __device__ __forceinline__ T min_nan(T a, T b) { return (a < b || a != a) ? a : b; }
template <typename T> __device__ __forceinline__ bool beats(T v, T best) { return v > best || (v != v && best == best); }

// =============================================================================================
// Fill, cast
// =============================================================================================

// fill_T: t[i] = value. ELEMENTWISE over n.
#define DEFINE_FILL(sfx, T) \
extern "C" __global__ void fill_##sfx(T* t, T value, long long n) { FOR_EACH(i, n) t[i] = value; }
DEFINE_FILL(f32, float)
DEFINE_FILL(f64, double)
DEFINE_FILL(i32, int)
DEFINE_FILL(i64, long long)

// cast_S_D: dst[i] = (D) src[i]; float → int truncates toward zero (like PyTorch's .long()); out-of-range
// values saturate and NaN gives 0 (cvt.rzi), as on the CPU. ELEMENTWISE.
#define DEFINE_CAST(ss, S, ds, D, expr) \
extern "C" __global__ void cast_##ss##_##ds(const S* src, D* dst, long long n) { FOR_EACH(i, n) { S v = src[i]; dst[i] = (expr); } }
// The saturation written out, so the host emulation (where C++ leaves out-of-range casts undefined) computes it too.
template <typename S> __device__ __forceinline__ int to_i32(S v)
{ return v != v ? 0 : v >= (S)2147483648.0 ? 2147483647 : v <= (S)-2147483648.0 ? -2147483647 - 1 : (int)v; }
template <typename S> __device__ __forceinline__ long long to_i64(S v)
{ return v != v ? 0 : v >= (S)9223372036854775808.0 ? 9223372036854775807LL : v <= (S)-9223372036854775808.0 ? -9223372036854775807LL - 1 : (long long)v; }
DEFINE_CAST(f32, float, f64, double, (double)v)
DEFINE_CAST(f32, float, i32, int, to_i32(v))
DEFINE_CAST(f32, float, i64, long long, to_i64(v))
DEFINE_CAST(f64, double, f32, float, (float)v)
DEFINE_CAST(f64, double, i32, int, to_i32(v))
DEFINE_CAST(f64, double, i64, long long, to_i64(v))
DEFINE_CAST(i32, int, f32, float, (float)v)
DEFINE_CAST(i32, int, f64, double, (double)v)
DEFINE_CAST(i32, int, i64, long long, (long long)v)
DEFINE_CAST(i64, long long, f32, float, (float)v)
DEFINE_CAST(i64, long long, f64, double, (double)v)
DEFINE_CAST(i64, long long, i32, int, (int)v)

// =============================================================================================
// Elementwise: unary, binary (NumPy broadcasting), binary with a scalar, activation backwards
// =============================================================================================

// Rounding to the 16-bit float formats of mixed precision, result kept in float (the engine has no
// 16-bit dtype; the CPU twins are Engine.Amp.Precision.ToFloat16 / ToBFloat16). Round to nearest even,
// overflow to ±inf, NaN stays NaN; bit arithmetic only, so NVRTC needs no cuda_fp16.h.
// round_bf16: keep float32's top 16 bits (8 exponent, 7 mantissa bits).
__device__ __forceinline__ float round_bf16(float x)
{
    if (x != x) return x;
    unsigned int b = __float_as_uint(x);
    b += 0x7fffu + ((b >> 16) & 1u);
    return __uint_as_float(b & 0xffff0000u);
}
// round_f16: IEEE binary16. |x| ≥ 2^-14 keeps 10 mantissa bits, > 65504 after rounding is ±inf;
// below 2^-14 (half's subnormals) the result is a multiple of 2^-24, rounded by adding and removing
// 0.75f, whose float32 ulp is exactly 2^-24.
__device__ __forceinline__ float round_f16(float x)
{
    if (x != x) return x;
    unsigned int b = __float_as_uint(x);
    unsigned int sign = b & 0x80000000u, mag = b & 0x7fffffffu;
    if (mag >= 0x7f800000u) return x;
    if (mag >= 0x38800000u)
    {
        mag += 0xfffu + ((mag >> 13) & 1u);
        mag &= 0xffffe000u;
        if (mag > 0x477fe000u) mag = 0x7f800000u;
        return __uint_as_float(sign | mag);
    }
    float a = __uint_as_float(mag);
    float r = (a + 0.75f) - 0.75f;
    return __uint_as_float(sign | __float_as_uint(r));
}

// unary_OP_T: y[i] = f(x[i]); y may alias x. ELEMENTWISE over n.
#define DEFINE_UNARY(op, f32expr, f64expr) \
extern "C" __global__ void unary_##op##_f32(const float* xs, float* ys, long long n) { FOR_EACH(i, n) { float x = xs[i]; ys[i] = (f32expr); } } \
extern "C" __global__ void unary_##op##_f64(const double* xs, double* ys, long long n) { FOR_EACH(i, n) { double x = xs[i]; ys[i] = (f64expr); } }
DEFINE_UNARY(neg, -x, -x)
DEFINE_UNARY(exp, expf(x), exp(x))
DEFINE_UNARY(log, logf(x), log(x))
DEFINE_UNARY(sqrt, sqrtf(x), sqrt(x))
DEFINE_UNARY(abs, fabsf(x), fabs(x))
DEFINE_UNARY(square, x * x, x * x)
DEFINE_UNARY(relu, x <= 0.f ? 0.f : x, x <= 0.0 ? 0.0 : x)
DEFINE_UNARY(sigmoid, 1.f / (1.f + expf(-x)), 1.0 / (1.0 + exp(-x)))
DEFINE_UNARY(tanh, tanhf(x), tanh(x))
DEFINE_UNARY(sign, x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f), x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0))
DEFINE_UNARY(roundfloat16, round_f16(x), (double)round_f16((float)x))
DEFINE_UNARY(roundbfloat16, round_bf16(x), (double)round_bf16((float)x))

// How a and b are read when broadcast to y's shape: rank 0 means "all three have n elements".
// Strides are in elements and 0 along stretched axes (CpuBackend.BroadcastStrides).
struct Broadcast
{
    long long rank;
    long long shape[MAX_RANK];
    long long sa[MAX_RANK];
    long long sb[MAX_RANK];
};

__device__ __forceinline__ void broadcast_offsets(const Broadcast& bc, long long i, long long& oa, long long& ob)
{
    if (bc.rank == 0) { oa = i; ob = i; return; }
    oa = 0; ob = 0;
    for (int d = (int)bc.rank - 1; d >= 0; --d)
    {
        long long idx = i % bc.shape[d];
        i /= bc.shape[d];
        oa += idx * bc.sa[d];
        ob += idx * bc.sb[d];
    }
}

// binary_OP_T: y[i] = f(a[ia], b[ib]) with broadcasting; y may alias a or b. ELEMENTWISE over n = |y|.
// binary_scalar_OP_T: y[i] = f(a[i], s), or f(s, a[i]) when scalar_first. ELEMENTWISE.
#define DEFINE_BINARY(op, f32expr, f64expr) \
extern "C" __global__ void binary_##op##_f32(const float* as, const float* bs, float* ys, long long n, Broadcast bc) \
{ FOR_EACH(i, n) { long long oa, ob; broadcast_offsets(bc, i, oa, ob); float a = as[oa], b = bs[ob]; ys[i] = (f32expr); } } \
extern "C" __global__ void binary_##op##_f64(const double* as, const double* bs, double* ys, long long n, Broadcast bc) \
{ FOR_EACH(i, n) { long long oa, ob; broadcast_offsets(bc, i, oa, ob); double a = as[oa], b = bs[ob]; ys[i] = (f64expr); } } \
extern "C" __global__ void binary_scalar_##op##_f32(const float* as, float s, float* ys, long long n, int scalar_first) \
{ FOR_EACH(i, n) { float a = scalar_first ? s : as[i], b = scalar_first ? as[i] : s; ys[i] = (f32expr); } } \
extern "C" __global__ void binary_scalar_##op##_f64(const double* as, double s, double* ys, long long n, int scalar_first) \
{ FOR_EACH(i, n) { double a = scalar_first ? s : as[i], b = scalar_first ? as[i] : s; ys[i] = (f64expr); } }
DEFINE_BINARY(add, a + b, a + b)
DEFINE_BINARY(sub, a - b, a - b)
DEFINE_BINARY(mul, a * b, a * b)
DEFINE_BINARY(div, a / b, a / b)
DEFINE_BINARY(pow, powf(a, b), pow(a, b))
DEFINE_BINARY(maximum, max_nan(a, b), max_nan(a, b))
DEFINE_BINARY(minimum, min_nan(a, b), min_nan(a, b))
DEFINE_BINARY(greater, a > b ? 1.f : 0.f, a > b ? 1.0 : 0.0)
DEFINE_BINARY(equal, a == b ? 1.f : 0.f, a == b ? 1.0 : 0.0)

// relu_backward_T: dx = 0 where x ≤ 0 (±0 included), else dy (NaN x passes dy, as PyTorch's threshold_backward). ELEMENTWISE.
// sigmoid_backward_T: dx = dy · y · (1 − y) from the output y. ELEMENTWISE.
// tanh_backward_T: dx = dy · (1 − y²) from the output y. ELEMENTWISE.
// dropout_T: y = x · mask · scale (inverted dropout; mask of 0/1 drawn on the CPU). ELEMENTWISE.
#define DEFINE_ACT_BACKWARD(sfx, T) \
extern "C" __global__ void relu_backward_##sfx(const T* x, const T* dy, T* dx, long long n) { FOR_EACH(i, n) dx[i] = x[i] <= (T)0 ? (T)0 : dy[i]; } \
extern "C" __global__ void sigmoid_backward_##sfx(const T* y, const T* dy, T* dx, long long n) { FOR_EACH(i, n) { T v = y[i]; dx[i] = dy[i] * v * ((T)1 - v); } } \
extern "C" __global__ void tanh_backward_##sfx(const T* y, const T* dy, T* dx, long long n) { FOR_EACH(i, n) { T v = y[i]; dx[i] = dy[i] * ((T)1 - v * v); } } \
extern "C" __global__ void dropout_##sfx(const T* x, const T* mask, T scale, T* y, long long n) { FOR_EACH(i, n) y[i] = x[i] * mask[i] * scale; }
DEFINE_ACT_BACKWARD(f32, float)
DEFINE_ACT_BACKWARD(f64, double)

// =============================================================================================
// Reductions and indexing
// =============================================================================================

// Tree reduction of one value per thread in shared memory; blockDim.x a power of two.
template <typename T, typename F>
__device__ __forceinline__ T block_reduce(T v, F combine)
{
    T* sm = (T*)shared_raw;
    sm[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1)
    {
        if (threadIdx.x < s) sm[threadIdx.x] = combine(sm[threadIdx.x], sm[threadIdx.x + s]);
        __syncthreads();
    }
    T r = sm[0];
    __syncthreads();
    return r;
}

struct SumOp { template <typename T> __device__ T operator()(T a, T b) const { return a + b; } };
struct MaxOp { template <typename T> __device__ T operator()(T a, T b) const { return max_nan(a, b); } };
struct MinOp { template <typename T> __device__ T operator()(T a, T b) const { return min_nan(a, b); } };

// Reduces x viewed as [outer, n, inner] along n: block b computes y[b], b = o·inner + i.
template <typename T, typename F>
__device__ void reduce_axis(const T* x, T* y, long long n, long long inner, T init, F combine, bool mean)
{
    long long o = blockIdx.x / inner, in = blockIdx.x % inner;
    const T* base = x + o * n * inner + in;
    T acc = init;
    for (long long k = threadIdx.x; k < n; k += blockDim.x) acc = combine(acc, base[k * inner]);
    acc = block_reduce(acc, combine);
    if (threadIdx.x == 0) y[blockIdx.x] = mean ? acc / (T)n : acc;
}

// reduce_OP_T: y[o, i] = reduce_k x[o, k, i]. PER-ROW: one block per output (grid outer·inner).
#define DEFINE_REDUCE(sfx, T, INF) \
extern "C" __global__ void reduce_sum_##sfx(const T* x, T* y, long long n, long long inner) { reduce_axis<T>(x, y, n, inner, (T)0, SumOp(), false); } \
extern "C" __global__ void reduce_mean_##sfx(const T* x, T* y, long long n, long long inner) { reduce_axis<T>(x, y, n, inner, (T)0, SumOp(), true); } \
extern "C" __global__ void reduce_max_##sfx(const T* x, T* y, long long n, long long inner) { reduce_axis<T>(x, y, n, inner, -(INF), MaxOp(), false); } \
extern "C" __global__ void reduce_min_##sfx(const T* x, T* y, long long n, long long inner) { reduce_axis<T>(x, y, n, inner, (INF), MinOp(), false); }
DEFINE_REDUCE(f32, float, __int_as_float(0x7f800000))
DEFINE_REDUCE(f64, double, __longlong_as_double(0x7ff0000000000000LL))

// argmax_T: y[o, i] = first k maximising x[o, k, i], a NaN counting as the largest (Int32). PER-ROW; shared memory blockDim·(sizeof(T)+4).
#define DEFINE_ARGMAX(sfx, T) \
extern "C" __global__ void argmax_##sfx(const T* x, int* y, long long n, long long inner) \
{ \
    T* sv = (T*)shared_raw; \
    int* si = (int*)(sv + blockDim.x); \
    long long o = blockIdx.x / inner, in = blockIdx.x % inner; \
    const T* base = x + o * n * inner + in; \
    int best = -1; T bv = (T)0; \
    for (long long k = threadIdx.x; k < n; k += blockDim.x) { T v = base[k * inner]; if (best < 0 || beats(v, bv)) { bv = v; best = (int)k; } } \
    sv[threadIdx.x] = bv; si[threadIdx.x] = best; \
    __syncthreads(); \
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) \
    { \
        if (threadIdx.x < s) \
        { \
            int j = si[threadIdx.x + s]; T w = sv[threadIdx.x + s]; int i0 = si[threadIdx.x]; \
            if (j >= 0 && (i0 < 0 || beats(w, sv[threadIdx.x]) || (!beats(sv[threadIdx.x], w) && j < i0))) { sv[threadIdx.x] = w; si[threadIdx.x] = j; } \
        } \
        __syncthreads(); \
    } \
    if (threadIdx.x == 0) y[blockIdx.x] = si[0] < 0 ? 0 : si[0]; \
}
DEFINE_ARGMAX(f32, float)
DEFINE_ARGMAX(f64, double)

// Integer label (or row index) i of an Int32/Int64 array; a value outside 0..c−1 is reported once
// through err = {i + 1, value} (the host reads it back and throws naming the op, the row and the label).
__device__ __forceinline__ long long read_label(const void* labels, int labels64, long long i, long long c, long long* err)
{
    long long label = labels64 ? ((const long long*)labels)[i] : (long long)((const int*)labels)[i];
    if (label < 0 || label >= c)
    {
        if (atomicCAS((unsigned long long*)&err[0], 0ULL, (unsigned long long)(i + 1)) == 0ULL) err[1] = label;
        return -1;
    }
    return label;
}

// index_select_T: y[i, j] = x[index[i], j], rows of `row` elements (x has `rows` rows; a bad index is
// reported through err). ELEMENTWISE over |y| = count·row.
// index_add_T: y[index[i], j] += x[i, j] (atomic; repeated indices accumulate). ELEMENTWISE over |x|.
#define DEFINE_INDEX(sfx, T) \
extern "C" __global__ void index_select_##sfx(const T* x, const int* index, T* y, long long count, long long row, long long rows, long long* err) \
{ FOR_EACH(t, count * row) { long long i = t / row, j = t % row; long long r = read_label(index, 0, i, rows, err); y[t] = r < 0 ? (T)0 : x[r * row + j]; } }
DEFINE_INDEX(f32, float)
DEFINE_INDEX(f64, double)
DEFINE_INDEX(i32, int)
DEFINE_INDEX(i64, long long)
extern "C" __global__ void index_add_f32(const float* x, const int* index, float* y, long long count, long long row, long long rows, long long* err)
{ FOR_EACH(t, count * row) { long long i = t / row, j = t % row; long long r = read_label(index, 0, i, rows, err); if (r >= 0) atomicAdd(&y[r * row + j], x[t]); } }
extern "C" __global__ void index_add_f64(const double* x, const int* index, double* y, long long count, long long row, long long rows, long long* err)
{ FOR_EACH(t, count * row) { long long i = t / row, j = t % row; long long r = read_label(index, 0, i, rows, err); if (r >= 0) atomicAdd(&y[r * row + j], x[t]); } }

// one_hot_T: y[i, labels[i]] = 1 (y was zero-filled first). One thread per row i of n.
#define DEFINE_ONE_HOT(sfx, T) \
extern "C" __global__ void one_hot_##sfx(const void* labels, int labels64, T* y, long long n, long long c, long long* err) \
{ FOR_EACH(i, n) { long long l = read_label(labels, labels64, i, c, err); if (l >= 0) y[i * c + l] = (T)1; } }
DEFINE_ONE_HOT(f32, float)
DEFINE_ONE_HOT(f64, double)

// How y's index maps to x's: y.shape and, per y axis, the x stride it walks (x stride of perm[d]).
struct Permutation
{
    long long rank;
    long long shape[MAX_RANK];
    long long step[MAX_RANK];
};

// permute_T: y[i0..ir] = x[Σ i_d · step_d]. ELEMENTWISE over n = |y| (coalesced writes).
#define DEFINE_PERMUTE(sfx, T) \
extern "C" __global__ void permute_##sfx(const T* x, T* y, long long n, Permutation p) \
{ \
    FOR_EACH(i, n) \
    { \
        long long rest = i, off = 0; \
        for (int d = (int)p.rank - 1; d >= 0; --d) { long long idx = rest % p.shape[d]; rest /= p.shape[d]; off += idx * p.step[d]; } \
        y[i] = x[off]; \
    } \
}
DEFINE_PERMUTE(f32, float)
DEFINE_PERMUTE(f64, double)
DEFINE_PERMUTE(i32, int)
DEFINE_PERMUTE(i64, long long)

// =============================================================================================
// Linear algebra: the MatMul twin (used when cuBLAS is absent) and the teaching SGEMM ladder
// =============================================================================================

// matmul_T: c = alpha · op(a) · op(b) + beta · c for row-major a, b, c (op = transpose when flagged),
// batch z at offsets z·M·K, z·K·N, z·M·N. 16×16 shared-memory tiles; block (16, 16), grid
// (ceil(N/16), ceil(M/16), batch). beta = 0 never reads c.
#define MM_TILE 16
__device__ __forceinline__ float fma_t(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double fma_t(double a, double b, double c) { return fma(a, b, c); }
#define DEFINE_MATMUL(sfx, T) \
extern "C" __global__ void matmul_##sfx(const T* a, const T* b, T* c, int M, int N, int K, int trans_a, int trans_b, T alpha, T beta) \
{ \
    __shared__ T as[MM_TILE][MM_TILE + 1]; \
    __shared__ T bs[MM_TILE][MM_TILE + 1]; \
    a += (long long)blockIdx.z * M * K; b += (long long)blockIdx.z * K * N; c += (long long)blockIdx.z * M * N; \
    int row = blockIdx.y * MM_TILE + threadIdx.y, col = blockIdx.x * MM_TILE + threadIdx.x; \
    T acc = (T)0; \
    for (int k0 = 0; k0 < K; k0 += MM_TILE) \
    { \
        int ka = k0 + threadIdx.x, kb = k0 + threadIdx.y; \
        as[threadIdx.y][threadIdx.x] = (row < M && ka < K) ? (trans_a ? a[(long long)ka * M + row] : a[(long long)row * K + ka]) : (T)0; \
        bs[threadIdx.y][threadIdx.x] = (kb < K && col < N) ? (trans_b ? b[(long long)col * K + kb] : b[(long long)kb * N + col]) : (T)0; \
        __syncthreads(); \
        for (int k = 0; k < MM_TILE; ++k) acc = fma_t(as[threadIdx.y][k], bs[k][threadIdx.x], acc); \
        __syncthreads(); \
    } \
    if (row < M && col < N) \
    { \
        long long o = (long long)row * N + col; \
        c[o] = beta == (T)0 ? alpha * acc : alpha * acc + beta * c[o]; \
    } \
}
DEFINE_MATMUL(f32, float)
DEFINE_MATMUL(f64, double)

// The SGEMM ladder (after Simon Boehm's "How to optimize a CUDA matmul kernel"): row-major
// C[M,N] = alpha · A[M,K] · B[K,N] + beta · C, every rung checked against cuBLAS by gpu-check.

// Rung 1, sgemm_naive: one thread per C element, threadIdx.x walks ROWS, so a warp reads 32
// different rows of A (strided, uncoalesced). Block (32, 32), grid (ceil(M/32), ceil(N/32)).
extern "C" __global__ void sgemm_naive(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    int row = blockIdx.x * blockDim.x + threadIdx.x;
    int col = blockIdx.y * blockDim.y + threadIdx.y;
    if (row >= M || col >= N) return;
    float acc = 0.f;
    for (int k = 0; k < K; ++k) acc = fmaf(A[(long long)row * K + k], B[(long long)k * N + col], acc);
    C[(long long)row * N + col] = alpha * acc + beta * C[(long long)row * N + col];
}

// Rung 2, sgemm_coalesced: the same, but threadIdx.x walks COLUMNS: a warp reads one A value
// (broadcast) and 32 consecutive B values, and writes 32 consecutive C values.
// Block (32, 32), grid (ceil(N/32), ceil(M/32)).
extern "C" __global__ void sgemm_coalesced(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    int row = blockIdx.y * blockDim.y + threadIdx.y;
    if (row >= M || col >= N) return;
    float acc = 0.f;
    for (int k = 0; k < K; ++k) acc = fmaf(A[(long long)row * K + k], B[(long long)k * N + col], acc);
    C[(long long)row * N + col] = alpha * acc + beta * C[(long long)row * N + col];
}

// Rung 3, sgemm_smem_tiled: 32×32 tiles of A and B staged in shared memory, each global value
// read once per block instead of once per thread. Block (32, 32), grid (ceil(N/32), ceil(M/32)).
#define ST 32
extern "C" __global__ void sgemm_smem_tiled(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ float as[ST][ST];
    __shared__ float bs[ST][ST];
    int col = blockIdx.x * ST + threadIdx.x;
    int row = blockIdx.y * ST + threadIdx.y;
    float acc = 0.f;
    for (int k0 = 0; k0 < K; k0 += ST)
    {
        as[threadIdx.y][threadIdx.x] = (row < M && k0 + threadIdx.x < K) ? A[(long long)row * K + k0 + threadIdx.x] : 0.f;
        bs[threadIdx.y][threadIdx.x] = (k0 + threadIdx.y < K && col < N) ? B[(long long)(k0 + threadIdx.y) * N + col] : 0.f;
        __syncthreads();
#pragma unroll
        for (int k = 0; k < ST; ++k) acc = fmaf(as[threadIdx.y][k], bs[k][threadIdx.x], acc);
        __syncthreads();
    }
    if (row < M && col < N) C[(long long)row * N + col] = alpha * acc + beta * C[(long long)row * N + col];
}

// Rungs 4 and 5 share the tiling: a block computes a BM×BN tile of C from BK-deep slices of A and
// B in shared memory; each of its 256 threads computes a TM×TN sub-tile held in registers.
// Block 256, grid (ceil(N/BN), ceil(M/BM)).
#define BM 128
#define BN 128
#define BK 8
#define TM 8
#define TN 8

// Rung 4, sgemm_block_tiled_2d: scalar loads (A stored transposed in shared memory so the inner
// loop reads TM consecutive A values); any M, N, K.
extern "C" __global__ void __launch_bounds__(256) sgemm_block_tiled_2d(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ float as[BK][BM];
    __shared__ float bs[BK][BN];
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const int trow = tid / (BN / TN), tcol = tid % (BN / TN);
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
    float rm[TM], rn[TN];
    for (int k0 = 0; k0 < K; k0 += BK)
    {
        for (int t = tid; t < BM * BK; t += 256)
        {
            int r = t / BK, c = t % BK;
            as[c][r] = (row0 + r < M && k0 + c < K) ? A[(long long)(row0 + r) * K + k0 + c] : 0.f;
        }
        for (int t = tid; t < BK * BN; t += 256)
        {
            int r = t / BN, c = t % BN;
            bs[r][c] = (k0 + r < K && col0 + c < N) ? B[(long long)(k0 + r) * N + col0 + c] : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; ++k)
        {
#pragma unroll
            for (int i = 0; i < TM; ++i) rm[i] = as[k][trow * TM + i];
#pragma unroll
            for (int j = 0; j < TN; ++j) rn[j] = bs[k][tcol * TN + j];
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(rm[i], rn[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i)
    {
        int r = row0 + trow * TM + i;
        if (r >= M) break;
#pragma unroll
        for (int j = 0; j < TN; ++j)
        {
            int c = col0 + tcol * TN + j;
            if (c < N) C[(long long)r * N + c] = alpha * acc[i][j] + beta * C[(long long)r * N + c];
        }
    }
}

// Rung 5, sgemm_vectorized: rung 4 with 128-bit (float4) global loads and stores and float4
// shared-memory reads. Needs K and N to be multiples of 4 (the host checks); any M.
extern "C" __global__ void __launch_bounds__(256) sgemm_vectorized(int M, int N, int K, float alpha, const float* A, const float* B, float beta, float* C)
{
    __shared__ __align__(16) float as[BK][BM];
    __shared__ __align__(16) float bs[BK][BN];
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    const int trow = tid / (BN / TN), tcol = tid % (BN / TN);
    // Each thread loads one float4 of the A slice (BM×BK = 256 float4) and one of B (BK×BN = 256 float4).
    const int ar = tid / (BK / 4), ac = (tid % (BK / 4)) * 4;
    const int br = tid / (BN / 4), bc = (tid % (BN / 4)) * 4;
    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.f;
    float rm[TM], rn[TN];
    for (int k0 = 0; k0 < K; k0 += BK)
    {
        float4 va = make_float4(0.f, 0.f, 0.f, 0.f), vb = make_float4(0.f, 0.f, 0.f, 0.f);
        if (row0 + ar < M && k0 + ac < K) va = *(const float4*)&A[(long long)(row0 + ar) * K + k0 + ac];
        if (k0 + br < K && col0 + bc < N) vb = *(const float4*)&B[(long long)(k0 + br) * N + col0 + bc];
        as[ac + 0][ar] = va.x; as[ac + 1][ar] = va.y; as[ac + 2][ar] = va.z; as[ac + 3][ar] = va.w;
        *(float4*)&bs[br][bc] = vb;
        __syncthreads();
#pragma unroll
        for (int k = 0; k < BK; ++k)
        {
            float4 m0 = *(const float4*)&as[k][trow * TM], m1 = *(const float4*)&as[k][trow * TM + 4];
            float4 n0 = *(const float4*)&bs[k][tcol * TN], n1 = *(const float4*)&bs[k][tcol * TN + 4];
            rm[0] = m0.x; rm[1] = m0.y; rm[2] = m0.z; rm[3] = m0.w; rm[4] = m1.x; rm[5] = m1.y; rm[6] = m1.z; rm[7] = m1.w;
            rn[0] = n0.x; rn[1] = n0.y; rn[2] = n0.z; rn[3] = n0.w; rn[4] = n1.x; rn[5] = n1.y; rn[6] = n1.z; rn[7] = n1.w;
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(rm[i], rn[j], acc[i][j]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < TM; ++i)
    {
        int r = row0 + trow * TM + i;
        if (r >= M) break;
#pragma unroll
        for (int j = 0; j < TN; j += 4)
        {
            int c = col0 + tcol * TN + j;
            if (c < N)
            {
                float4* p = (float4*)&C[(long long)r * N + c];
                float4 old = *p;
                *p = make_float4(alpha * acc[i][j] + beta * old.x, alpha * acc[i][j + 1] + beta * old.y,
                                 alpha * acc[i][j + 2] + beta * old.z, alpha * acc[i][j + 3] + beta * old.w);
            }
        }
    }
}

// =============================================================================================
// Softmax and losses
// =============================================================================================

__device__ __forceinline__ float exp_t(float v) { return expf(v); }
__device__ __forceinline__ double exp_t(double v) { return exp(v); }
__device__ __forceinline__ float log_t(float v) { return logf(v); }
__device__ __forceinline__ double log_t(double v) { return log(v); }
__device__ __forceinline__ void neg_inf(float& v) { v = -__int_as_float(0x7f800000); }
__device__ __forceinline__ void neg_inf(double& v) { v = -__longlong_as_double(0x7ff0000000000000LL); }

// The row softmax of one block: the row max and Σ exp(x − max) over the row of length c.
template <typename T>
__device__ void row_max_sum(const T* x, long long c, T& max, T& sum)
{
    T m;
    neg_inf(m);
    for (long long j = threadIdx.x; j < c; j += blockDim.x) m = x[j] > m ? x[j] : m;
    max = block_reduce(m, MaxOp());
    T s = (T)0;
    for (long long j = threadIdx.x; j < c; j += blockDim.x) s += exp_t(x[j] - max);
    sum = block_reduce(s, SumOp());
}

// softmax_T: y[r, j] = exp(x[r, j] − max_r) / Σ_j exp(x[r, j] − max_r). PER-ROW: block r of rows.
// log_softmax_T: y[r, j] = x[r, j] − max_r − log Σ_j exp(x[r, j] − max_r). PER-ROW.
#define DEFINE_SOFTMAX(sfx, T) \
extern "C" __global__ void softmax_##sfx(const T* x, T* y, long long c) \
{ \
    const T* xr = x + blockIdx.x * c; T* yr = y + blockIdx.x * c; T max, sum; row_max_sum<T>(xr, c, max, sum); \
    for (long long j = threadIdx.x; j < c; j += blockDim.x) yr[j] = exp_t(xr[j] - max) / sum; \
} \
extern "C" __global__ void log_softmax_##sfx(const T* x, T* y, long long c) \
{ \
    const T* xr = x + blockIdx.x * c; T* yr = y + blockIdx.x * c; T max, sum; row_max_sum<T>(xr, c, max, sum); \
    T ls = log_t(sum); \
    for (long long j = threadIdx.x; j < c; j += blockDim.x) yr[j] = xr[j] - max - ls; \
}
DEFINE_SOFTMAX(f32, float)
DEFINE_SOFTMAX(f64, double)

// softmax_cross_entropy_T: probs = softmax(logits) and loss[r] = −Σ_j t[r, j] · log p[r, j] with one-hot
// or soft float targets t [N, C], where log p = log(probs + delta) for delta > 0 (DLfS's 1e-7 guard) and
// the exact log-softmax x − max − log Σ exp(x − max) for delta = 0 (PyTorch). PER-ROW: block r of N.
// softmax_cross_entropy_index_T: the same with integer labels [N]: loss[r] = −log p[r, label_r].
#define DEFINE_SCE(sfx, T) \
__device__ __forceinline__ T sce_log_p_##sfx(T x, T max, T log_sum, T p, T delta) { return delta > (T)0 ? log_t(p + delta) : x - max - log_sum; } \
extern "C" __global__ void softmax_cross_entropy_##sfx(const T* logits, const T* target, T* probs, T* loss, long long c, T delta) \
{ \
    const T* xr = logits + blockIdx.x * c; const T* tr = target + blockIdx.x * c; T* pr = probs + blockIdx.x * c; \
    T max, sum; row_max_sum<T>(xr, c, max, sum); \
    T log_sum = log_t(sum); \
    T acc = (T)0; \
    for (long long j = threadIdx.x; j < c; j += blockDim.x) { T p = exp_t(xr[j] - max) / sum; pr[j] = p; acc += tr[j] * sce_log_p_##sfx(xr[j], max, log_sum, p, delta); } \
    acc = block_reduce(acc, SumOp()); \
    if (threadIdx.x == 0) loss[blockIdx.x] = -acc; \
} \
extern "C" __global__ void softmax_cross_entropy_index_##sfx(const T* logits, const void* labels, int labels64, T* probs, T* loss, long long c, long long* err, T delta) \
{ \
    const T* xr = logits + blockIdx.x * c; T* pr = probs + blockIdx.x * c; \
    T max, sum; row_max_sum<T>(xr, c, max, sum); \
    for (long long j = threadIdx.x; j < c; j += blockDim.x) pr[j] = exp_t(xr[j] - max) / sum; \
    if (threadIdx.x == 0) \
    { \
        long long l = read_label(labels, labels64, blockIdx.x, c, err); \
        loss[blockIdx.x] = l < 0 ? (T)0 : -sce_log_p_##sfx(xr[l], max, log_t(sum), exp_t(xr[l] - max) / sum, delta); \
    } \
}
DEFINE_SCE(f32, float)
DEFINE_SCE(f64, double)

// softmax_cross_entropy_backward_T: dx = (probs − t) · scale with one-hot float targets. ELEMENTWISE.
// softmax_cross_entropy_backward_index_T: dx[r, j] = probs[r, j] · scale − (j == label_r ? scale : 0). ELEMENTWISE.
#define DEFINE_SCE_BACKWARD(sfx, T) \
extern "C" __global__ void softmax_cross_entropy_backward_##sfx(const T* probs, const T* target, T scale, T* dx, long long n) \
{ FOR_EACH(i, n) dx[i] = (probs[i] - target[i]) * scale; } \
extern "C" __global__ void softmax_cross_entropy_backward_index_##sfx(const T* probs, const void* labels, int labels64, T scale, T* dx, long long n, long long c, long long* err) \
{ \
    FOR_EACH(i, n) \
    { \
        long long r = i / c, j = i % c; \
        T v = probs[i] * scale; \
        long long l = read_label(labels, labels64, r, c, err); \
        dx[i] = j == l ? v - scale : v; \
    } \
}
DEFINE_SCE_BACKWARD(f32, float)
DEFINE_SCE_BACKWARD(f64, double)

// =============================================================================================
// Convolution and pooling (NCHW)
// =============================================================================================

// Geometry shared by im2col/col2im/pooling: input [N, C, H, W], window KH×KW, stride, pad, output OH×OW.
struct Conv
{
    int n, c, h, w, kh, kw, stride, pad, oh, ow;
};

// im2col_T: cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j] = x[n, c, oh·s − p + i, ow·s − p + j] (0 outside).
// ELEMENTWISE over |cols| (consecutive threads write consecutive columns).
#define DEFINE_IM2COL(sfx, T) \
extern "C" __global__ void im2col_##sfx(const T* x, T* cols, Conv g) \
{ \
    long long width = (long long)g.c * g.kh * g.kw; \
    long long total = (long long)g.n * g.oh * g.ow * width; \
    FOR_EACH(t, total) \
    { \
        long long r = t / width; int q = (int)(t % width); \
        int ow = (int)(r % g.ow); long long r2 = r / g.ow; int oh = (int)(r2 % g.oh); int n = (int)(r2 / g.oh); \
        int j = q % g.kw; int q2 = q / g.kw; int i = q2 % g.kh; int c = q2 / g.kh; \
        int hh = oh * g.stride - g.pad + i, ww = ow * g.stride - g.pad + j; \
        cols[t] = (hh >= 0 && hh < g.h && ww >= 0 && ww < g.w) ? x[(((long long)n * g.c + c) * g.h + hh) * g.w + ww] : (T)0; \
    } \
}
DEFINE_IM2COL(f32, float)
DEFINE_IM2COL(f64, double)

// col2im_T: dx[n, c, h, w] = Σ over the (oh, ow, i, j) with oh·s − p + i = h and ow·s − p + j = w of
// cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j]. Gathers (no atomics, deterministic). ELEMENTWISE over |dx|.
#define DEFINE_COL2IM(sfx, T) \
extern "C" __global__ void col2im_##sfx(const T* cols, T* dx, Conv g) \
{ \
    long long width = (long long)g.c * g.kh * g.kw; \
    long long total = (long long)g.n * g.c * g.h * g.w; \
    FOR_EACH(t, total) \
    { \
        int w = (int)(t % g.w); long long t2 = t / g.w; int h = (int)(t2 % g.h); long long t3 = t2 / g.h; int c = (int)(t3 % g.c); int n = (int)(t3 / g.c); \
        T acc = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hs = h + g.pad - i; \
            if (hs < 0 || hs % g.stride != 0) continue; \
            int oh = hs / g.stride; if (oh >= g.oh) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ws = w + g.pad - j; \
                if (ws < 0 || ws % g.stride != 0) continue; \
                int ow = ws / g.stride; if (ow >= g.ow) continue; \
                acc += cols[(((long long)n * g.oh + oh) * g.ow + ow) * width + ((long long)c * g.kh + i) * g.kw + j]; \
            } \
        } \
        dx[t] = acc; \
    } \
}
DEFINE_COL2IM(f32, float)
DEFINE_COL2IM(f64, double)

// max_pool2d_T: y[n, c, oh, ow] = max of the window (padding is skipped), argmax = its flat h·W + w
// (first maximum in row-major window order, a NaN counting as the largest). ELEMENTWISE over |y|.
// max_pool2d_backward_T: dx[n, c, argmax] += dy[n, c, oh, ow] (dx zero-filled first; atomics for
// overlapping windows). ELEMENTWISE over |dy|; plane = OH·OW, in_plane = H·W.
// avg_pool2d_T: y = Σ window / (KH·KW), padding counted as zeros. ELEMENTWISE over |y|.
// avg_pool2d_backward_T: dx[n, c, h, w] = Σ over windows covering (h, w) of dy / (KH·KW). ELEMENTWISE over |dx|.
#define DEFINE_POOL(sfx, T, ATOMIC_ADD) \
extern "C" __global__ void max_pool2d_##sfx(const T* x, T* y, int* argmax, Conv g) \
{ \
    long long total = (long long)g.n * g.c * g.oh * g.ow; \
    FOR_EACH(t, total) \
    { \
        int ow = (int)(t % g.ow); long long t2 = t / g.ow; int oh = (int)(t2 % g.oh); long long nc = t2 / g.oh; \
        const T* plane = x + nc * g.h * g.w; \
        int best = -1; T bv = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hh = oh * g.stride - g.pad + i; if (hh < 0 || hh >= g.h) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ww = ow * g.stride - g.pad + j; if (ww < 0 || ww >= g.w) continue; \
                T v = plane[hh * g.w + ww]; \
                if (best < 0 || beats(v, bv)) { bv = v; best = hh * g.w + ww; } \
            } \
        } \
        y[t] = bv; argmax[t] = best < 0 ? 0 : best; \
    } \
} \
extern "C" __global__ void max_pool2d_backward_##sfx(const T* dy, const int* argmax, T* dx, long long total, long long plane, long long in_plane) \
{ FOR_EACH(t, total) ATOMIC_ADD(&dx[(t / plane) * in_plane + argmax[t]], dy[t]); } \
extern "C" __global__ void avg_pool2d_##sfx(const T* x, T* y, Conv g) \
{ \
    long long total = (long long)g.n * g.c * g.oh * g.ow; \
    FOR_EACH(t, total) \
    { \
        int ow = (int)(t % g.ow); long long t2 = t / g.ow; int oh = (int)(t2 % g.oh); long long nc = t2 / g.oh; \
        const T* plane = x + nc * g.h * g.w; \
        T acc = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hh = oh * g.stride - g.pad + i; if (hh < 0 || hh >= g.h) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ww = ow * g.stride - g.pad + j; if (ww < 0 || ww >= g.w) continue; \
                acc += plane[hh * g.w + ww]; \
            } \
        } \
        y[t] = acc / (T)(g.kh * g.kw); \
    } \
} \
extern "C" __global__ void avg_pool2d_backward_##sfx(const T* dy, T* dx, Conv g) \
{ \
    long long total = (long long)g.n * g.c * g.h * g.w; \
    FOR_EACH(t, total) \
    { \
        int w = (int)(t % g.w); long long t2 = t / g.w; int h = (int)(t2 % g.h); long long nc = t2 / g.h; \
        const T* plane = dy + nc * g.oh * g.ow; \
        T acc = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hs = h + g.pad - i; if (hs < 0 || hs % g.stride != 0) continue; \
            int oh = hs / g.stride; if (oh >= g.oh) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ws = w + g.pad - j; if (ws < 0 || ws % g.stride != 0) continue; \
                int ow = ws / g.stride; if (ow >= g.ow) continue; \
                acc += plane[oh * g.ow + ow]; \
            } \
        } \
        dx[t] = acc / (T)(g.kh * g.kw); \
    } \
}
DEFINE_POOL(f32, float, atomicAdd)
DEFINE_POOL(f64, double, atomicAdd)

// =============================================================================================
// Batch normalisation over x [N, C, S] (S = H·W, or 1 for [N, C]); sums and the normalisation are
// computed in double for float32 too, like the CPU twin (CpuBackend.BatchNorm.cs).
// =============================================================================================

// batch_norm_stats_T: per channel c (block c of C), the batch mean and biased variance over the
// M = N·S values (two passes), saved as save_mean[c] and save_inv_std[c] = 1/√(var + eps); running stats
// r = (1 − m)·r + m·batch with the unbiased variance var·M/(M − 1). PER-ROW: one block per channel.
// batch_norm_running_T: eval mode, save_mean = running_mean, save_inv_std = 1/√(running_var + eps). One thread per channel.
// batch_norm_forward_T: y = x·scale + shift with scale = γ[c]·inv_std[c], shift = β[c] − mean[c]·scale. ELEMENTWISE over |x|.
#define DEFINE_BN(sfx, T) \
extern "C" __global__ void batch_norm_stats_##sfx(const T* x, T* running_mean, T* running_var, T* save_mean, T* save_inv_std, long long n, long long c, long long s, double momentum, double eps) \
{ \
    long long ch = blockIdx.x, m = n * s; \
    double acc = 0; \
    for (long long k = threadIdx.x; k < m; k += blockDim.x) acc += (double)x[((k / s) * c + ch) * s + k % s]; \
    double mean = block_reduce(acc, SumOp()) / (double)m; \
    acc = 0; \
    for (long long k = threadIdx.x; k < m; k += blockDim.x) { double d = (double)x[((k / s) * c + ch) * s + k % s] - mean; acc += d * d; } \
    double var = block_reduce(acc, SumOp()) / (double)m; \
    if (threadIdx.x == 0) \
    { \
        save_mean[ch] = (T)mean; \
        save_inv_std[ch] = (T)(1.0 / sqrt(var + eps)); \
        double unbiased = m > 1 ? var * (double)m / (double)(m - 1) : var; \
        running_mean[ch] = (T)((1.0 - momentum) * (double)running_mean[ch] + momentum * mean); \
        running_var[ch] = (T)((1.0 - momentum) * (double)running_var[ch] + momentum * unbiased); \
    } \
} \
extern "C" __global__ void batch_norm_running_##sfx(const T* running_mean, const T* running_var, T* save_mean, T* save_inv_std, long long c, double eps) \
{ FOR_EACH(ch, c) { save_mean[ch] = running_mean[ch]; save_inv_std[ch] = (T)(1.0 / sqrt((double)running_var[ch] + eps)); } } \
extern "C" __global__ void batch_norm_forward_##sfx(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std, T* y, long long total, long long c, long long s) \
{ \
    FOR_EACH(t, total) \
    { \
        long long ch = (t / s) % c; \
        double scale = (double)gamma[ch] * (double)inv_std[ch], shift = (double)beta[ch] - (double)mean[ch] * scale; \
        y[t] = (T)((double)x[t] * scale + shift); \
    } \
}

// batch_norm_backward_reduce_T: per channel, dbeta = Σ dy and dgamma = Σ dy·x̂ with x̂ = (x − mean)·inv_std. PER-ROW: block per channel.
// batch_norm_backward_dx_T: dx = γ·inv_std/M · (M·dy − dbeta − x̂·dgamma), M = N·S. ELEMENTWISE over |x|.
#define DEFINE_BN_BACKWARD(sfx, T) \
extern "C" __global__ void batch_norm_backward_reduce_##sfx(const T* x, const T* dy, const T* mean, const T* inv_std, T* dgamma, T* dbeta, long long n, long long c, long long s) \
{ \
    long long ch = blockIdx.x, m = n * s; \
    double mu = (double)mean[ch], is = (double)inv_std[ch], sdy = 0, sdyx = 0; \
    for (long long k = threadIdx.x; k < m; k += blockDim.x) { long long o = ((k / s) * c + ch) * s + k % s; double g = (double)dy[o]; sdy += g; sdyx += g * ((double)x[o] - mu) * is; } \
    sdy = block_reduce(sdy, SumOp()); \
    sdyx = block_reduce(sdyx, SumOp()); \
    if (threadIdx.x == 0) { dbeta[ch] = (T)sdy; dgamma[ch] = (T)sdyx; } \
} \
extern "C" __global__ void batch_norm_backward_dx_##sfx(const T* x, const T* dy, const T* gamma, const T* mean, const T* inv_std, const T* dgamma, const T* dbeta, T* dx, long long total, long long c, long long s, long long m) \
{ \
    FOR_EACH(t, total) \
    { \
        long long ch = (t / s) % c; \
        double is = (double)inv_std[ch], xh = ((double)x[t] - (double)mean[ch]) * is; \
        dx[t] = (T)((double)gamma[ch] * is / (double)m * ((double)m * (double)dy[t] - (double)dbeta[ch] - xh * (double)dgamma[ch])); \
    } \
}
DEFINE_BN(f32, float)
DEFINE_BN(f64, double)
DEFINE_BN_BACKWARD(f32, float)
DEFINE_BN_BACKWARD(f64, double)

// =============================================================================================
// Fused optimiser updates (in place on param and state). ELEMENTWISE over |param|.
// =============================================================================================

// sgd_update_T: p −= lr · (g + wd·p).
// momentum_update_T: g' = g + wd·p; v = μ·v + g'; p −= lr · (nesterov ? g' + μ·v : v).
// adagrad_update_T: h += g²; p −= lr · g / (√h + eps).
// rmsprop_update_T: h = ρ·h + (1 − ρ)·g²; p −= lr · g / (√h + eps).
// adam_update_T: m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; p −= lr · (m/c1) / (√(v/c2) + eps), c = 1 − β^t.
#define DEFINE_OPTIM(sfx, T, SQRT) \
extern "C" __global__ void sgd_update_##sfx(T* p, const T* g, T lr, T wd, long long n) { FOR_EACH(i, n) p[i] -= lr * (g[i] + wd * p[i]); } \
extern "C" __global__ void momentum_update_##sfx(T* p, const T* g, T* v, T lr, T mu, int nesterov, T wd, long long n) \
{ FOR_EACH(i, n) { T gi = g[i] + wd * p[i]; T vi = mu * v[i] + gi; v[i] = vi; p[i] -= lr * (nesterov ? gi + mu * vi : vi); } } \
extern "C" __global__ void adagrad_update_##sfx(T* p, const T* g, T* h, T lr, T eps, long long n) \
{ FOR_EACH(i, n) { T gi = g[i]; T hi = h[i] + gi * gi; h[i] = hi; p[i] -= lr * gi / (SQRT(hi) + eps); } } \
extern "C" __global__ void rmsprop_update_##sfx(T* p, const T* g, T* h, T lr, T rho, T eps, long long n) \
{ FOR_EACH(i, n) { T gi = g[i]; T hi = rho * h[i] + ((T)1 - rho) * gi * gi; h[i] = hi; p[i] -= lr * gi / (SQRT(hi) + eps); } } \
extern "C" __global__ void adam_update_##sfx(T* p, const T* g, T* m, T* v, T lr, T b1, T b2, T eps, T c1, T c2, long long n) \
{ \
    FOR_EACH(i, n) \
    { \
        T gi = g[i]; \
        T mi = b1 * m[i] + ((T)1 - b1) * gi; \
        T vi = b2 * v[i] + ((T)1 - b2) * gi * gi; \
        m[i] = mi; v[i] = vi; \
        p[i] -= lr * (mi / c1) / (SQRT(vi / c2) + eps); \
    } \
}
DEFINE_OPTIM(f32, float, sqrtf)
DEFINE_OPTIM(f64, double, sqrt)

// =============================================================================================
// Style transfer: total variation of images x [N, C, H, W] (Chollet's form, exponent 1.25)
// =============================================================================================

// s = a + b at (i, j) of the plane p (H×W): squared differences to the pixel below and to the right.
template <typename T>
__device__ __forceinline__ double tv_sum(const T* p, long long w, long long i, long long j)
{
    double c = (double)p[i * w + j], a = c - (double)p[(i + 1) * w + j], b = c - (double)p[i * w + j + 1];
    return a * a + b * b;
}

// total_variation_T: loss[n] = Σ_{c, i<H−1, j<W−1} s^1.25 (= s·√√s), summed in double.
// PER-ROW: one block per image n (grid N); shared memory blockDim · 8 bytes.
// total_variation_backward_T: dx[n, c, i, j] = dy[n] · (2.5·s(i,j)^0.25·(2x[i,j] − x[i+1,j] − x[i,j+1])
//   − 2.5·s(i−1,j)^0.25·(x[i−1,j] − x[i,j]) − 2.5·s(i,j−1)^0.25·(x[i,j−1] − x[i,j])), each term only
//   where its (i, j) lies in [0, H−1) × [0, W−1): a gather, no atomics. ELEMENTWISE over |dx|.
#define DEFINE_TV(sfx, T) \
extern "C" __global__ void total_variation_##sfx(const T* x, T* loss, long long c, long long h, long long w) \
{ \
    long long inner = (h - 1) * (w - 1), m = c * inner; \
    const T* img = x + blockIdx.x * c * h * w; \
    double acc = 0; \
    for (long long k = threadIdx.x; k < m; k += blockDim.x) \
    { \
        long long ch = k / inner, r = k % inner, i = r / (w - 1), j = r % (w - 1); \
        double s = tv_sum(img + ch * h * w, w, i, j); \
        acc += s * sqrt(sqrt(s)); \
    } \
    acc = block_reduce(acc, SumOp()); \
    if (threadIdx.x == 0) loss[blockIdx.x] = (T)acc; \
} \
extern "C" __global__ void total_variation_backward_##sfx(const T* x, const T* dy, T* dx, long long total, long long c, long long h, long long w) \
{ \
    FOR_EACH(t, total) \
    { \
        long long plane = t / (h * w), i = (t / w) % h, j = t % w; \
        const T* p = x + plane * h * w; \
        double v = (double)p[i * w + j], g = 0; \
        if (i < h - 1 && j < w - 1) g += 2.5 * sqrt(sqrt(tv_sum(p, w, i, j))) * (2 * v - (double)p[(i + 1) * w + j] - (double)p[i * w + j + 1]); \
        if (i > 0 && j < w - 1) g -= 2.5 * sqrt(sqrt(tv_sum(p, w, i - 1, j))) * ((double)p[(i - 1) * w + j] - v); \
        if (j > 0 && i < h - 1) g -= 2.5 * sqrt(sqrt(tv_sum(p, w, i, j - 1))) * ((double)p[i * w + j - 1] - v); \
        dx[t] = (T)((double)dy[plane / c] * g); \
    } \
}
DEFINE_TV(f32, float)
DEFINE_TV(f64, double)
