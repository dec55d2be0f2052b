// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

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
template <typename T> __device__ void total_variation(const T* x, T* loss, long long c, long long h, long long w)
{
    long long inner = (h - 1) * (w - 1), m = c * inner;
    const T* img = x + blockIdx.x * c * h * w;
    double acc = 0;
    for (long long k = threadIdx.x; k < m; k += blockDim.x)
    {
        long long ch = k / inner, r = k % inner, i = r / (w - 1), j = r % (w - 1);
        double s = tv_sum(img + ch * h * w, w, i, j);
        acc += s * sqrt(sqrt(s));
    }
    acc = block_reduce(acc, SumOp());
    if (threadIdx.x == 0) loss[blockIdx.x] = (T)acc;
}
extern "C" __global__ void total_variation_f32(const float* x, float* loss, long long c, long long h, long long w) { total_variation(x, loss, c, h, w); }
extern "C" __global__ void total_variation_f64(const double* x, double* loss, long long c, long long h, long long w) { total_variation(x, loss, c, h, w); }

// total_variation_backward_T: dx[n, c, i, j] = dy[n] · (2.5·s(i,j)^0.25·(2x[i,j] − x[i+1,j] − x[i,j+1])
//   − 2.5·s(i−1,j)^0.25·(x[i−1,j] − x[i,j]) − 2.5·s(i,j−1)^0.25·(x[i,j−1] − x[i,j])), each term only
//   where its (i, j) lies in [0, H−1) × [0, W−1): a gather, no atomics. ELEMENTWISE over |dx|.
template <typename T> __device__ void total_variation_backward(const T* x, const T* dy, T* dx, long long total, long long c, long long h, long long w)
{
    FOR_EACH(t, total)
    {
        long long plane = t / (h * w), i = (t / w) % h, j = t % w;
        const T* p = x + plane * h * w;
        double v = (double)p[i * w + j], g = 0;
        if (i < h - 1 && j < w - 1) g += 2.5 * sqrt(sqrt(tv_sum(p, w, i, j))) * (2 * v - (double)p[(i + 1) * w + j] - (double)p[i * w + j + 1]);
        if (i > 0 && j < w - 1) g -= 2.5 * sqrt(sqrt(tv_sum(p, w, i - 1, j))) * ((double)p[(i - 1) * w + j] - v);
        if (j > 0 && i < h - 1) g -= 2.5 * sqrt(sqrt(tv_sum(p, w, i, j - 1))) * ((double)p[i * w + j - 1] - v);
        dx[t] = (T)((double)dy[plane / c] * g);
    }
}
extern "C" __global__ void total_variation_backward_f32(const float* x, const float* dy, float* dx, long long total, long long c, long long h, long long w) { total_variation_backward(x, dy, dx, total, c, h, w); }
extern "C" __global__ void total_variation_backward_f64(const double* x, const double* dy, double* dx, long long total, long long c, long long h, long long w) { total_variation_backward(x, dy, dx, total, c, h, w); }
