// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Convolution as im2col + GEMM (NCHW): the im2col and col2im kernels
// =============================================================================================

// Geometry shared by im2col/col2im/pooling: input [N, C, H, W], window KH×KW, stride, pad, output OH×OW.
struct Conv
{
    int n, c, h, w, kh, kw, stride, pad, oh, ow;
};

// im2col_T: cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j] = x[n, c, oh·s − p + i, ow·s − p + j] (0 outside).
// ELEMENTWISE over |cols| (consecutive threads write consecutive columns).
template <typename T> __device__ void im2col(const T* x, T* cols, Conv g)
{
    long long width = (long long)g.c * g.kh * g.kw;
    long long total = (long long)g.n * g.oh * g.ow * width;
    FOR_EACH(t, total)
    {
        long long r = t / width; int q = (int)(t % width);
        int ow = (int)(r % g.ow); long long r2 = r / g.ow; int oh = (int)(r2 % g.oh); int n = (int)(r2 / g.oh);
        int j = q % g.kw; int q2 = q / g.kw; int i = q2 % g.kh; int c = q2 / g.kh;
        int hh = oh * g.stride - g.pad + i, ww = ow * g.stride - g.pad + j;
        cols[t] = (hh >= 0 && hh < g.h && ww >= 0 && ww < g.w) ? x[(((long long)n * g.c + c) * g.h + hh) * g.w + ww] : (T)0;
    }
}
extern "C" __global__ void im2col_f32(const float* x, float* cols, Conv g) { im2col(x, cols, g); }
extern "C" __global__ void im2col_f64(const double* x, double* cols, Conv g) { im2col(x, cols, g); }

// col2im_T: dx[n, c, h, w] = Σ over the (oh, ow, i, j) with oh·s − p + i = h and ow·s − p + j = w of
// cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j]. Gathers (no atomics, deterministic). ELEMENTWISE over |dx|.
template <typename T> __device__ void col2im(const T* cols, T* dx, Conv g)
{
    long long width = (long long)g.c * g.kh * g.kw;
    long long total = (long long)g.n * g.c * g.h * g.w;
    FOR_EACH(t, total)
    {
        int w = (int)(t % g.w); long long t2 = t / g.w; int h = (int)(t2 % g.h); long long t3 = t2 / g.h; int c = (int)(t3 % g.c); int n = (int)(t3 / g.c);
        T acc = (T)0;
        for (int i = 0; i < g.kh; ++i)
        {
            int hs = h + g.pad - i;
            if (hs < 0 || hs % g.stride != 0) continue;
            int oh = hs / g.stride; if (oh >= g.oh) continue;
            for (int j = 0; j < g.kw; ++j)
            {
                int ws = w + g.pad - j;
                if (ws < 0 || ws % g.stride != 0) continue;
                int ow = ws / g.stride; if (ow >= g.ow) continue;
                acc += cols[(((long long)n * g.oh + oh) * g.ow + ow) * width + ((long long)c * g.kh + i) * g.kw + j];
            }
        }
        dx[t] = acc;
    }
}
extern "C" __global__ void col2im_f32(const float* cols, float* dx, Conv g) { col2im(cols, dx, g); }
extern "C" __global__ void col2im_f64(const double* cols, double* dx, Conv g) { col2im(cols, dx, g); }
