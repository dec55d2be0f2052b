// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Fused optimiser updates (in place on param and state). ELEMENTWISE over |param|.
// =============================================================================================

// sgd_update_T: p −= lr · (g + wd·p).
template <typename T> __device__ void sgd_update(T* p, const T* g, T lr, T wd, long long n) { FOR_EACH(i, n) p[i] -= lr * (g[i] + wd * p[i]); }
extern "C" __global__ void sgd_update_f32(float* p, const float* g, float lr, float wd, long long n) { sgd_update(p, g, lr, wd, n); }
extern "C" __global__ void sgd_update_f64(double* p, const double* g, double lr, double wd, long long n) { sgd_update(p, g, lr, wd, n); }

// momentum_update_T: g' = g + wd·p; v = μ·v + g'; p −= lr · (nesterov ? g' + μ·v : v).
template <typename T> __device__ void momentum_update(T* p, const T* g, T* v, T lr, T mu, int nesterov, T wd, long long n)
{ FOR_EACH(i, n) { T gi = g[i] + wd * p[i]; T vi = mu * v[i] + gi; v[i] = vi; p[i] -= lr * (nesterov ? gi + mu * vi : vi); } }
extern "C" __global__ void momentum_update_f32(float* p, const float* g, float* v, float lr, float mu, int nesterov, float wd, long long n) { momentum_update(p, g, v, lr, mu, nesterov, wd, n); }
extern "C" __global__ void momentum_update_f64(double* p, const double* g, double* v, double lr, double mu, int nesterov, double wd, long long n) { momentum_update(p, g, v, lr, mu, nesterov, wd, n); }

// adagrad_update_T: h += g²; p −= lr · g / (√h + eps).
template <typename T> __device__ void adagrad_update(T* p, const T* g, T* h, T lr, T eps, long long n)
{ FOR_EACH(i, n) { T gi = g[i]; T hi = h[i] + gi * gi; h[i] = hi; p[i] -= lr * gi / (sqrt_t(hi) + eps); } }
extern "C" __global__ void adagrad_update_f32(float* p, const float* g, float* h, float lr, float eps, long long n) { adagrad_update(p, g, h, lr, eps, n); }
extern "C" __global__ void adagrad_update_f64(double* p, const double* g, double* h, double lr, double eps, long long n) { adagrad_update(p, g, h, lr, eps, n); }

// rmsprop_update_T: h = ρ·h + (1 − ρ)·g²; p −= lr · g / (√h + eps).
template <typename T> __device__ void rmsprop_update(T* p, const T* g, T* h, T lr, T rho, T eps, long long n)
{ FOR_EACH(i, n) { T gi = g[i]; T hi = rho * h[i] + ((T)1 - rho) * gi * gi; h[i] = hi; p[i] -= lr * gi / (sqrt_t(hi) + eps); } }
extern "C" __global__ void rmsprop_update_f32(float* p, const float* g, float* h, float lr, float rho, float eps, long long n) { rmsprop_update(p, g, h, lr, rho, eps, n); }
extern "C" __global__ void rmsprop_update_f64(double* p, const double* g, double* h, double lr, double rho, double eps, long long n) { rmsprop_update(p, g, h, lr, rho, eps, n); }

// adam_update_T: m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²; p −= lr · (m/c1) / (√(v/c2) + eps), c = 1 − β^t.
template <typename T> __device__ void adam_update(T* p, const T* g, T* m, T* v, T lr, T b1, T b2, T eps, T c1, T c2, long long n)
{
    FOR_EACH(i, n)
    {
        T gi = g[i];
        T mi = b1 * m[i] + ((T)1 - b1) * gi;
        T vi = b2 * v[i] + ((T)1 - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] -= lr * (mi / c1) / (sqrt_t(vi / c2) + eps);
    }
}
extern "C" __global__ void adam_update_f32(float* p, const float* g, float* m, float* v, float lr, float b1, float b2, float eps, float c1, float c2, long long n) { adam_update(p, g, m, v, lr, b1, b2, eps, c1, c2, n); }
extern "C" __global__ void adam_update_f64(double* p, const double* g, double* m, double* v, double lr, double b1, double b2, double eps, double c1, double c2, long long n) { adam_update(p, g, m, v, lr, b1, b2, eps, c1, c2, n); }
