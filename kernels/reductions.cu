// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

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
