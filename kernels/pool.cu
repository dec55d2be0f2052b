// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw,
// and struct Conv of kernels/conv.cu (the window geometry).

// =============================================================================================
// Pooling (NCHW): max pooling with its argmax, average pooling, and their backwards
// =============================================================================================

// max_pool2d_T: y[n, c, oh, ow] = max of the window (padding is skipped), argmax = its flat h·W + w
// (first maximum in row-major window order, a NaN counting as the largest). ELEMENTWISE over |y|.
template <typename T> __device__ void max_pool2d(const T* x, T* y, int* argmax, Conv g)
{
    long long total = (long long)g.n * g.c * g.oh * g.ow;
    FOR_EACH(t, total)
    {
        int ow = (int)(t % g.ow); long long t2 = t / g.ow; int oh = (int)(t2 % g.oh); long long nc = t2 / g.oh;
        const T* plane = x + nc * g.h * g.w;
        int best = -1; T bv = (T)0;
        for (int i = 0; i < g.kh; ++i)
        {
            int hh = oh * g.stride - g.pad + i; if (hh < 0 || hh >= g.h) continue;
            for (int j = 0; j < g.kw; ++j)
            {
                int ww = ow * g.stride - g.pad + j; if (ww < 0 || ww >= g.w) continue;
                T v = plane[hh * g.w + ww];
                if (best < 0 || beats(v, bv)) { bv = v; best = hh * g.w + ww; }
            }
        }
        y[t] = bv; argmax[t] = best < 0 ? 0 : best;
    }
}
extern "C" __global__ void max_pool2d_f32(const float* x, float* y, int* argmax, Conv g) { max_pool2d(x, y, argmax, g); }
extern "C" __global__ void max_pool2d_f64(const double* x, double* y, int* argmax, Conv g) { max_pool2d(x, y, argmax, g); }

// max_pool2d_backward_T: dx[n, c, argmax] += dy[n, c, oh, ow] (dx zero-filled first). ELEMENTWISE over
// |dy|; plane = OH·OW, in_plane = H·W. Float atomics: where windows overlap (stride < kernel) two outputs
// can share an argmax, and the order of their additions (so the last bits of dx) varies from run to run.
template <typename T> __device__ void max_pool2d_backward(const T* dy, const int* argmax, T* dx, long long total, long long plane, long long in_plane)
{ FOR_EACH(t, total) atomicAdd(&dx[(t / plane) * in_plane + argmax[t]], dy[t]); }
extern "C" __global__ void max_pool2d_backward_f32(const float* dy, const int* argmax, float* dx, long long total, long long plane, long long in_plane) { max_pool2d_backward(dy, argmax, dx, total, plane, in_plane); }
extern "C" __global__ void max_pool2d_backward_f64(const double* dy, const int* argmax, double* dx, long long total, long long plane, long long in_plane) { max_pool2d_backward(dy, argmax, dx, total, plane, in_plane); }

// max_pool2d_backward_deterministic_T: the same sums without atomics (Tensor.UseDeterministicAlgorithms):
// thread p owns plane p = n·C + c of dx and adds its dy values in row-major (oh, ow) order, the CPU twin's
// order, so dx is the same bit for bit on every run. ELEMENTWISE over the `planes` planes (dx zero-filled first).
template <typename T> __device__ void max_pool2d_backward_deterministic(const T* dy, const int* argmax, T* dx, long long planes, long long plane, long long in_plane)
{
    FOR_EACH(p, planes)
        for (long long t = p * plane; t < (p + 1) * plane; ++t) dx[p * in_plane + argmax[t]] += dy[t];
}
extern "C" __global__ void max_pool2d_backward_deterministic_f32(const float* dy, const int* argmax, float* dx, long long planes, long long plane, long long in_plane) { max_pool2d_backward_deterministic(dy, argmax, dx, planes, plane, in_plane); }
extern "C" __global__ void max_pool2d_backward_deterministic_f64(const double* dy, const int* argmax, double* dx, long long planes, long long plane, long long in_plane) { max_pool2d_backward_deterministic(dy, argmax, dx, planes, plane, in_plane); }

// avg_pool2d_T: y = Σ window / (KH·KW), padding counted as zeros. ELEMENTWISE over |y|.
template <typename T> __device__ void avg_pool2d(const T* x, T* y, Conv g)
{
    long long total = (long long)g.n * g.c * g.oh * g.ow;
    FOR_EACH(t, total)
    {
        int ow = (int)(t % g.ow); long long t2 = t / g.ow; int oh = (int)(t2 % g.oh); long long nc = t2 / g.oh;
        const T* plane = x + nc * g.h * g.w;
        T acc = (T)0;
        for (int i = 0; i < g.kh; ++i)
        {
            int hh = oh * g.stride - g.pad + i; if (hh < 0 || hh >= g.h) continue;
            for (int j = 0; j < g.kw; ++j)
            {
                int ww = ow * g.stride - g.pad + j; if (ww < 0 || ww >= g.w) continue;
                acc += plane[hh * g.w + ww];
            }
        }
        y[t] = acc / (T)(g.kh * g.kw);
    }
}
extern "C" __global__ void avg_pool2d_f32(const float* x, float* y, Conv g) { avg_pool2d(x, y, g); }
extern "C" __global__ void avg_pool2d_f64(const double* x, double* y, Conv g) { avg_pool2d(x, y, g); }

// avg_pool2d_backward_T: dx[n, c, h, w] = Σ over windows covering (h, w) of dy / (KH·KW). A gather
// (no atomics, deterministic). ELEMENTWISE over |dx|.
template <typename T> __device__ void avg_pool2d_backward(const T* dy, T* dx, Conv g)
{
    long long total = (long long)g.n * g.c * g.h * g.w;
    FOR_EACH(t, total)
    {
        int w = (int)(t % g.w); long long t2 = t / g.w; int h = (int)(t2 % g.h); long long nc = t2 / g.h;
        const T* plane = dy + nc * g.oh * g.ow;
        T acc = (T)0;
        for (int i = 0; i < g.kh; ++i)
        {
            int hs = h + g.pad - i; if (hs < 0 || hs % g.stride != 0) continue;
            int oh = hs / g.stride; if (oh >= g.oh) continue;
            for (int j = 0; j < g.kw; ++j)
            {
                int ws = w + g.pad - j; if (ws < 0 || ws % g.stride != 0) continue;
                int ow = ws / g.stride; if (ow >= g.ow) continue;
                acc += plane[oh * g.ow + ow];
            }
        }
        dx[t] = acc / (T)(g.kh * g.kw);
    }
}
extern "C" __global__ void avg_pool2d_backward_f32(const float* dy, float* dx, Conv g) { avg_pool2d_backward(dy, dx, g); }
extern "C" __global__ void avg_pool2d_backward_f64(const double* dy, double* dx, Conv g) { avg_pool2d_backward(dy, dx, g); }
