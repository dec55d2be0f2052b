// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

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
