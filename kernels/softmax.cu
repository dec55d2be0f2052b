// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Softmax and losses
// =============================================================================================

// The row softmax of one block: the row max and Σ exp(x − max) over the row of length c.
template <typename T>
__device__ void row_max_sum(const T* x, long long c, T& max, T& sum)
{
    T m = -inf_t<T>();
    for (long long j = threadIdx.x; j < c; j += blockDim.x) m = x[j] > m ? x[j] : m;
    max = block_reduce(m, MaxOp());
    T s = (T)0;
    for (long long j = threadIdx.x; j < c; j += blockDim.x) s += exp_t(x[j] - max);
    sum = block_reduce(s, SumOp());
}

// softmax_T: y[r, j] = exp(x[r, j] − max_r) / Σ_j exp(x[r, j] − max_r). PER-ROW: block r of rows.
template <typename T> __device__ void softmax(const T* x, T* y, long long c)
{
    const T* xr = x + blockIdx.x * c; T* yr = y + blockIdx.x * c;
    T max, sum; row_max_sum(xr, c, max, sum);
    for (long long j = threadIdx.x; j < c; j += blockDim.x) yr[j] = exp_t(xr[j] - max) / sum;
}
extern "C" __global__ void softmax_f32(const float* x, float* y, long long c) { softmax(x, y, c); }
extern "C" __global__ void softmax_f64(const double* x, double* y, long long c) { softmax(x, y, c); }

// log_softmax_T: y[r, j] = x[r, j] − max_r − log Σ_j exp(x[r, j] − max_r). PER-ROW.
template <typename T> __device__ void log_softmax(const T* x, T* y, long long c)
{
    const T* xr = x + blockIdx.x * c; T* yr = y + blockIdx.x * c;
    T max, sum; row_max_sum(xr, c, max, sum);
    T ls = log_t(sum);
    for (long long j = threadIdx.x; j < c; j += blockDim.x) yr[j] = xr[j] - max - ls;
}
extern "C" __global__ void log_softmax_f32(const float* x, float* y, long long c) { log_softmax(x, y, c); }
extern "C" __global__ void log_softmax_f64(const double* x, double* y, long long c) { log_softmax(x, y, c); }

// log p of cross-entropy: log(p + delta) for delta > 0 (DLfS's 1e-7 guard), else the exact log-softmax
// x − max − log Σ exp(x − max) (PyTorch).
template <typename T> __device__ __forceinline__ T sce_log_p(T x, T max, T log_sum, T p, T delta) { return delta > (T)0 ? log_t(p + delta) : x - max - log_sum; }

// softmax_cross_entropy_T: probs = softmax(logits) and loss[r] = −Σ_j t[r, j] · log p[r, j] with one-hot
// or soft float targets t [N, C]. PER-ROW: block r of N.
template <typename T> __device__ void softmax_cross_entropy(const T* logits, const T* target, T* probs, T* loss, long long c, T delta)
{
    const T* xr = logits + blockIdx.x * c; const T* tr = target + blockIdx.x * c; T* pr = probs + blockIdx.x * c;
    T max, sum; row_max_sum(xr, c, max, sum);
    T log_sum = log_t(sum);
    T acc = (T)0;
    for (long long j = threadIdx.x; j < c; j += blockDim.x) { T p = exp_t(xr[j] - max) / sum; pr[j] = p; acc += tr[j] * sce_log_p(xr[j], max, log_sum, p, delta); }
    acc = block_reduce(acc, SumOp());
    if (threadIdx.x == 0) loss[blockIdx.x] = -acc;
}
extern "C" __global__ void softmax_cross_entropy_f32(const float* logits, const float* target, float* probs, float* loss, long long c, float delta) { softmax_cross_entropy(logits, target, probs, loss, c, delta); }
extern "C" __global__ void softmax_cross_entropy_f64(const double* logits, const double* target, double* probs, double* loss, long long c, double delta) { softmax_cross_entropy(logits, target, probs, loss, c, delta); }

// softmax_cross_entropy_index_T: the same with integer labels [N] (Int32, or Int64 when labels64):
// loss[r] = −log p[r, label_r]; a bad label is reported through err. PER-ROW.
template <typename T> __device__ void softmax_cross_entropy_index(const T* logits, const void* labels, int labels64, T* probs, T* loss, long long c, long long* err, T delta)
{
    const T* xr = logits + blockIdx.x * c; T* pr = probs + blockIdx.x * c;
    T max, sum; row_max_sum(xr, c, max, sum);
    for (long long j = threadIdx.x; j < c; j += blockDim.x) pr[j] = exp_t(xr[j] - max) / sum;
    if (threadIdx.x == 0)
    {
        long long l = read_label(labels, labels64, blockIdx.x, c, err);
        loss[blockIdx.x] = l < 0 ? (T)0 : -sce_log_p(xr[l], max, log_t(sum), exp_t(xr[l] - max) / sum, delta);
    }
}
extern "C" __global__ void softmax_cross_entropy_index_f32(const float* logits, const void* labels, int labels64, float* probs, float* loss, long long c, long long* err, float delta) { softmax_cross_entropy_index(logits, labels, labels64, probs, loss, c, err, delta); }
extern "C" __global__ void softmax_cross_entropy_index_f64(const double* logits, const void* labels, int labels64, double* probs, double* loss, long long c, long long* err, double delta) { softmax_cross_entropy_index(logits, labels, labels64, probs, loss, c, err, delta); }

// softmax_cross_entropy_backward_T: dx = (probs − t) · scale with one-hot float targets. ELEMENTWISE.
template <typename T> __device__ void softmax_cross_entropy_backward(const T* probs, const T* target, T scale, T* dx, long long n) { FOR_EACH(i, n) dx[i] = (probs[i] - target[i]) * scale; }
extern "C" __global__ void softmax_cross_entropy_backward_f32(const float* probs, const float* target, float scale, float* dx, long long n) { softmax_cross_entropy_backward(probs, target, scale, dx, n); }
extern "C" __global__ void softmax_cross_entropy_backward_f64(const double* probs, const double* target, double scale, double* dx, long long n) { softmax_cross_entropy_backward(probs, target, scale, dx, n); }

// softmax_cross_entropy_backward_index_T: dx[r, j] = probs[r, j] · scale − (j == label_r ? scale : 0). ELEMENTWISE.
template <typename T> __device__ void softmax_cross_entropy_backward_index(const T* probs, const void* labels, int labels64, T scale, T* dx, long long n, long long c, long long* err)
{
    FOR_EACH(i, n)
    {
        long long r = i / c, j = i % c;
        T v = probs[i] * scale;
        long long l = read_label(labels, labels64, r, c, err);
        dx[i] = j == l ? v - scale : v;
    }
}
extern "C" __global__ void softmax_cross_entropy_backward_index_f32(const float* probs, const void* labels, int labels64, float scale, float* dx, long long n, long long c, long long* err) { softmax_cross_entropy_backward_index(probs, labels, labels64, scale, dx, n, c, err); }
extern "C" __global__ void softmax_cross_entropy_backward_index_f64(const double* probs, const void* labels, int labels64, double scale, double* dx, long long n, long long c, long long* err) { softmax_cross_entropy_backward_index(probs, labels, labels64, scale, dx, n, c, err); }
