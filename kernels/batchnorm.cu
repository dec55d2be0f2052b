// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Batch normalisation over x [N, C, S] (S = H·W, or 1 for [N, C]); sums and the normalisation are
// computed in double for float32 too, like the CPU twin (CpuBackend.BatchNorm.cs).
// =============================================================================================

// batch_norm_stats_T: per channel c (block c of C), the batch mean and biased variance over the
// M = N·S values (two passes), saved as save_mean[c] and save_inv_std[c] = 1/√(var + eps); running stats
// r = (1 − m)·r + m·batch with the unbiased variance var·M/(M − 1). PER-ROW: one block per channel.
template <typename T> __device__ void batch_norm_stats(const T* x, T* running_mean, T* running_var, T* save_mean, T* save_inv_std, long long n, long long c, long long s, double momentum, double eps)
{
    long long ch = blockIdx.x, m = n * s;
    double acc = 0;
    for (long long k = threadIdx.x; k < m; k += blockDim.x) acc += (double)x[((k / s) * c + ch) * s + k % s];
    double mean = block_reduce(acc, SumOp()) / (double)m;
    acc = 0;
    for (long long k = threadIdx.x; k < m; k += blockDim.x) { double d = (double)x[((k / s) * c + ch) * s + k % s] - mean; acc += d * d; }
    double var = block_reduce(acc, SumOp()) / (double)m;
    if (threadIdx.x == 0)
    {
        save_mean[ch] = (T)mean;
        save_inv_std[ch] = (T)(1.0 / sqrt(var + eps));
        double unbiased = m > 1 ? var * (double)m / (double)(m - 1) : var;
        running_mean[ch] = (T)((1.0 - momentum) * (double)running_mean[ch] + momentum * mean);
        running_var[ch] = (T)((1.0 - momentum) * (double)running_var[ch] + momentum * unbiased);
    }
}
extern "C" __global__ void batch_norm_stats_f32(const float* x, float* running_mean, float* running_var, float* save_mean, float* save_inv_std, long long n, long long c, long long s, double momentum, double eps) { batch_norm_stats(x, running_mean, running_var, save_mean, save_inv_std, n, c, s, momentum, eps); }
extern "C" __global__ void batch_norm_stats_f64(const double* x, double* running_mean, double* running_var, double* save_mean, double* save_inv_std, long long n, long long c, long long s, double momentum, double eps) { batch_norm_stats(x, running_mean, running_var, save_mean, save_inv_std, n, c, s, momentum, eps); }

// batch_norm_running_T: eval mode, save_mean = running_mean, save_inv_std = 1/√(running_var + eps). One thread per channel.
template <typename T> __device__ void batch_norm_running(const T* running_mean, const T* running_var, T* save_mean, T* save_inv_std, long long c, double eps)
{ FOR_EACH(ch, c) { save_mean[ch] = running_mean[ch]; save_inv_std[ch] = (T)(1.0 / sqrt((double)running_var[ch] + eps)); } }
extern "C" __global__ void batch_norm_running_f32(const float* running_mean, const float* running_var, float* save_mean, float* save_inv_std, long long c, double eps) { batch_norm_running(running_mean, running_var, save_mean, save_inv_std, c, eps); }
extern "C" __global__ void batch_norm_running_f64(const double* running_mean, const double* running_var, double* save_mean, double* save_inv_std, long long c, double eps) { batch_norm_running(running_mean, running_var, save_mean, save_inv_std, c, eps); }

// batch_norm_forward_T: y = x·scale + shift with scale = γ[c]·inv_std[c], shift = β[c] − mean[c]·scale. ELEMENTWISE over |x|.
template <typename T> __device__ void batch_norm_forward(const T* x, const T* gamma, const T* beta, const T* mean, const T* inv_std, T* y, long long total, long long c, long long s)
{
    FOR_EACH(t, total)
    {
        long long ch = (t / s) % c;
        double scale = (double)gamma[ch] * (double)inv_std[ch], shift = (double)beta[ch] - (double)mean[ch] * scale;
        y[t] = (T)((double)x[t] * scale + shift);
    }
}
extern "C" __global__ void batch_norm_forward_f32(const float* x, const float* gamma, const float* beta, const float* mean, const float* inv_std, float* y, long long total, long long c, long long s) { batch_norm_forward(x, gamma, beta, mean, inv_std, y, total, c, s); }
extern "C" __global__ void batch_norm_forward_f64(const double* x, const double* gamma, const double* beta, const double* mean, const double* inv_std, double* y, long long total, long long c, long long s) { batch_norm_forward(x, gamma, beta, mean, inv_std, y, total, c, s); }

// batch_norm_backward_reduce_T: per channel, dbeta = Σ dy and dgamma = Σ dy·x̂ with x̂ = (x − mean)·inv_std. PER-ROW: block per channel.
template <typename T> __device__ void batch_norm_backward_reduce(const T* x, const T* dy, const T* mean, const T* inv_std, T* dgamma, T* dbeta, long long n, long long c, long long s)
{
    long long ch = blockIdx.x, m = n * s;
    double mu = (double)mean[ch], is = (double)inv_std[ch], sdy = 0, sdyx = 0;
    for (long long k = threadIdx.x; k < m; k += blockDim.x) { long long o = ((k / s) * c + ch) * s + k % s; double g = (double)dy[o]; sdy += g; sdyx += g * ((double)x[o] - mu) * is; }
    sdy = block_reduce(sdy, SumOp());
    sdyx = block_reduce(sdyx, SumOp());
    if (threadIdx.x == 0) { dbeta[ch] = (T)sdy; dgamma[ch] = (T)sdyx; }
}
extern "C" __global__ void batch_norm_backward_reduce_f32(const float* x, const float* dy, const float* mean, const float* inv_std, float* dgamma, float* dbeta, long long n, long long c, long long s) { batch_norm_backward_reduce(x, dy, mean, inv_std, dgamma, dbeta, n, c, s); }
extern "C" __global__ void batch_norm_backward_reduce_f64(const double* x, const double* dy, const double* mean, const double* inv_std, double* dgamma, double* dbeta, long long n, long long c, long long s) { batch_norm_backward_reduce(x, dy, mean, inv_std, dgamma, dbeta, n, c, s); }

// batch_norm_backward_dx_T: dx = γ·inv_std/M · (M·dy − dbeta − x̂·dgamma), M = N·S. ELEMENTWISE over |x|.
template <typename T> __device__ void batch_norm_backward_dx(const T* x, const T* dy, const T* gamma, const T* mean, const T* inv_std, const T* dgamma, const T* dbeta, T* dx, long long total, long long c, long long s, long long m)
{
    FOR_EACH(t, total)
    {
        long long ch = (t / s) % c;
        double is = (double)inv_std[ch], xh = ((double)x[t] - (double)mean[ch]) * is;
        dx[t] = (T)((double)gamma[ch] * is / (double)m * ((double)m * (double)dy[t] - (double)dbeta[ch] - xh * (double)dgamma[ch]));
    }
}
extern "C" __global__ void batch_norm_backward_dx_f32(const float* x, const float* dy, const float* gamma, const float* mean, const float* inv_std, const float* dgamma, const float* dbeta, float* dx, long long total, long long c, long long s, long long m) { batch_norm_backward_dx(x, dy, gamma, mean, inv_std, dgamma, dbeta, dx, total, c, s, m); }
extern "C" __global__ void batch_norm_backward_dx_f64(const double* x, const double* dy, const double* gamma, const double* mean, const double* inv_std, const double* dgamma, const double* dbeta, double* dx, long long total, long long c, long long s, long long m) { batch_norm_backward_dx(x, dy, gamma, mean, inv_std, dgamma, dbeta, dx, total, c, s, m); }
