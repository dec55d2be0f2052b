// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

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
