// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Reductions along an axis, argmax, and the row indexing ops (index_select, index_add, one_hot)
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

// reduce_OP_T: y[o, i] = reduce_k x[o, k, i], x viewed as [outer, n, inner] (64-bit sizes), rows = outer·inner
// outputs. ROWS: block b computes y[b], y[b + gridDim.x], … (b = o·inner + i), so any number of rows fits the grid.
template <typename T, typename F>
__device__ void reduce_axis(const T* x, T* y, long long n, long long inner, long long rows, T init, F combine, bool mean)
{
    for (long long b = blockIdx.x; b < rows; b += gridDim.x)
    {
        long long o = b / inner, in = b % inner;
        const T* base = x + o * n * inner + in;
        T acc = init;
        for (long long k = threadIdx.x; k < n; k += blockDim.x) acc = combine(acc, base[k * inner]);
        acc = block_reduce(acc, combine);
        if (threadIdx.x == 0) y[b] = mean ? acc / (T)n : acc;
    }
}
extern "C" __global__ void reduce_sum_f32(const float* x, float* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, 0.f, SumOp(), false); }
extern "C" __global__ void reduce_sum_f64(const double* x, double* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, 0.0, SumOp(), false); }
extern "C" __global__ void reduce_mean_f32(const float* x, float* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, 0.f, SumOp(), true); }
extern "C" __global__ void reduce_mean_f64(const double* x, double* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, 0.0, SumOp(), true); }
extern "C" __global__ void reduce_max_f32(const float* x, float* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, -inf_t<float>(), MaxOp(), false); }
extern "C" __global__ void reduce_max_f64(const double* x, double* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, -inf_t<double>(), MaxOp(), false); }
extern "C" __global__ void reduce_min_f32(const float* x, float* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, inf_t<float>(), MinOp(), false); }
extern "C" __global__ void reduce_min_f64(const double* x, double* y, long long n, long long inner, long long rows) { reduce_axis(x, y, n, inner, rows, inf_t<double>(), MinOp(), false); }

// argmax_T: y[o, i] = first k maximising x[o, k, i], a NaN counting as the largest (Int32).
// ROWS as reduce_axis; shared memory blockDim · (sizeof(T) + 4).
template <typename T> __device__ void argmax(const T* x, int* y, long long n, long long inner, long long rows)
{
    T* sv = (T*)shared_raw;
    int* si = (int*)(sv + blockDim.x);
    for (long long b = blockIdx.x; b < rows; b += gridDim.x)
    {
        long long o = b / inner, in = b % inner;
        const T* base = x + o * n * inner + in;
        int best = -1; T bv = (T)0;
        for (long long k = threadIdx.x; k < n; k += blockDim.x) { T v = base[k * inner]; if (best < 0 || beats(v, bv)) { bv = v; best = (int)k; } }
        sv[threadIdx.x] = bv; si[threadIdx.x] = best;
        __syncthreads();
        for (unsigned s = blockDim.x / 2; s > 0; s >>= 1)
        {
            if (threadIdx.x < s)
            {
                int j = si[threadIdx.x + s]; T w = sv[threadIdx.x + s]; int i0 = si[threadIdx.x];
                if (j >= 0 && (i0 < 0 || beats(w, sv[threadIdx.x]) || (!beats(sv[threadIdx.x], w) && j < i0))) { sv[threadIdx.x] = w; si[threadIdx.x] = j; }
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) y[b] = si[0] < 0 ? 0 : si[0];
        __syncthreads();
    }
}
extern "C" __global__ void argmax_f32(const float* x, int* y, long long n, long long inner, long long rows) { argmax(x, y, n, inner, rows); }
extern "C" __global__ void argmax_f64(const double* x, int* y, long long n, long long inner, long long rows) { argmax(x, y, n, inner, rows); }

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
template <typename T> __device__ void index_select(const T* x, const int* index, T* y, long long count, long long row, long long rows, long long* err)
{ FOR_EACH(t, count * row) { long long i = t / row, j = t % row; long long r = read_label(index, 0, i, rows, err); y[t] = r < 0 ? (T)0 : x[r * row + j]; } }
extern "C" __global__ void index_select_f32(const float* x, const int* index, float* y, long long count, long long row, long long rows, long long* err) { index_select(x, index, y, count, row, rows, err); }
extern "C" __global__ void index_select_f64(const double* x, const int* index, double* y, long long count, long long row, long long rows, long long* err) { index_select(x, index, y, count, row, rows, err); }
extern "C" __global__ void index_select_i32(const int* x, const int* index, int* y, long long count, long long row, long long rows, long long* err) { index_select(x, index, y, count, row, rows, err); }
extern "C" __global__ void index_select_i64(const long long* x, const int* index, long long* y, long long count, long long row, long long rows, long long* err) { index_select(x, index, y, count, row, rows, err); }

// index_add_T: y[index[i], j] += x[i, j]. ELEMENTWISE over |x|. Float atomics: where indices repeat, the
// order of the additions (so the last bits of y) varies from run to run.
template <typename T> __device__ void index_add(const T* x, const int* index, T* y, long long count, long long row, long long rows, long long* err)
{ FOR_EACH(t, count * row) { long long i = t / row, j = t % row; long long r = read_label(index, 0, i, rows, err); if (r >= 0) atomicAdd(&y[r * row + j], x[t]); } }
extern "C" __global__ void index_add_f32(const float* x, const int* index, float* y, long long count, long long row, long long rows, long long* err) { index_add(x, index, y, count, row, rows, err); }
extern "C" __global__ void index_add_f64(const double* x, const int* index, double* y, long long count, long long row, long long rows, long long* err) { index_add(x, index, y, count, row, rows, err); }

// index_add_deterministic_T: the same sums without atomics (Tensor.UseDeterministicAlgorithms). The host has
// sorted the indices by destination row (a stable counting sort): segment s adds into row dest[s] the rows
// order[starts[s]] … order[starts[s + 1] − 1] of x, in increasing index order. Thread (s, j) owns y[dest[s], j]
// and adds its terms in that order, the CPU twin's, so y is the same bit for bit on every run.
// ELEMENTWISE over segments·row.
template <typename T> __device__ void index_add_deterministic(const T* x, const int* order, const int* starts, const int* dest, T* y, long long segments, long long row)
{
    FOR_EACH(t, segments * row)
    {
        long long s = t / row, j = t % row;
        T* out = y + (long long)dest[s] * row + j;
        T acc = *out;
        for (int k = starts[s]; k < starts[s + 1]; ++k) acc += x[(long long)order[k] * row + j];
        *out = acc;
    }
}
extern "C" __global__ void index_add_deterministic_f32(const float* x, const int* order, const int* starts, const int* dest, float* y, long long segments, long long row) { index_add_deterministic(x, order, starts, dest, y, segments, row); }
extern "C" __global__ void index_add_deterministic_f64(const double* x, const int* order, const int* starts, const int* dest, double* y, long long segments, long long row) { index_add_deterministic(x, order, starts, dest, y, segments, row); }

// one_hot_T: y[i, labels[i]] = 1 (y was zero-filled first). One thread per row i of n.
template <typename T> __device__ void one_hot(const void* labels, int labels64, T* y, long long n, long long c, long long* err)
{ FOR_EACH(i, n) { long long l = read_label(labels, labels64, i, c, err); if (l >= 0) y[i * c + l] = (T)1; } }
extern "C" __global__ void one_hot_f32(const void* labels, int labels64, float* y, long long n, long long c, long long* err) { one_hot(labels, labels64, y, n, c, err); }
extern "C" __global__ void one_hot_f64(const void* labels, int labels64, double* y, long long n, long long c, long long* err) { one_hot(labels, labels64, y, n, c, err); }
