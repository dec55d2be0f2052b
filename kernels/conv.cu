// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Convolution and pooling (NCHW)
// =============================================================================================

// Geometry shared by im2col/col2im/pooling: input [N, C, H, W], window KH×KW, stride, pad, output OH×OW.
struct Conv
{
    int n, c, h, w, kh, kw, stride, pad, oh, ow;
};

// im2col_T: cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j] = x[n, c, oh·s − p + i, ow·s − p + j] (0 outside).
// ELEMENTWISE over |cols| (consecutive threads write consecutive columns).
#define DEFINE_IM2COL(sfx, T) \
extern "C" __global__ void im2col_##sfx(const T* x, T* cols, Conv g) \
{ \
    long long width = (long long)g.c * g.kh * g.kw; \
    long long total = (long long)g.n * g.oh * g.ow * width; \
    FOR_EACH(t, total) \
    { \
        long long r = t / width; int q = (int)(t % width); \
        int ow = (int)(r % g.ow); long long r2 = r / g.ow; int oh = (int)(r2 % g.oh); int n = (int)(r2 / g.oh); \
        int j = q % g.kw; int q2 = q / g.kw; int i = q2 % g.kh; int c = q2 / g.kh; \
        int hh = oh * g.stride - g.pad + i, ww = ow * g.stride - g.pad + j; \
        cols[t] = (hh >= 0 && hh < g.h && ww >= 0 && ww < g.w) ? x[(((long long)n * g.c + c) * g.h + hh) * g.w + ww] : (T)0; \
    } \
}
DEFINE_IM2COL(f32, float)
DEFINE_IM2COL(f64, double)

// col2im_T: dx[n, c, h, w] = Σ over the (oh, ow, i, j) with oh·s − p + i = h and ow·s − p + j = w of
// cols[(n·OH + oh)·OW + ow, (c·KH + i)·KW + j]. Gathers (no atomics, deterministic). ELEMENTWISE over |dx|.
#define DEFINE_COL2IM(sfx, T) \
extern "C" __global__ void col2im_##sfx(const T* cols, T* dx, Conv g) \
{ \
    long long width = (long long)g.c * g.kh * g.kw; \
    long long total = (long long)g.n * g.c * g.h * g.w; \
    FOR_EACH(t, total) \
    { \
        int w = (int)(t % g.w); long long t2 = t / g.w; int h = (int)(t2 % g.h); long long t3 = t2 / g.h; int c = (int)(t3 % g.c); int n = (int)(t3 / g.c); \
        T acc = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hs = h + g.pad - i; \
            if (hs < 0 || hs % g.stride != 0) continue; \
            int oh = hs / g.stride; if (oh >= g.oh) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ws = w + g.pad - j; \
                if (ws < 0 || ws % g.stride != 0) continue; \
                int ow = ws / g.stride; if (ow >= g.ow) continue; \
                acc += cols[(((long long)n * g.oh + oh) * g.ow + ow) * width + ((long long)c * g.kh + i) * g.kw + j]; \
            } \
        } \
        dx[t] = acc; \
    } \
}
DEFINE_COL2IM(f32, float)
DEFINE_COL2IM(f64, double)

// max_pool2d_T: y[n, c, oh, ow] = max of the window (padding is skipped), argmax = its flat h·W + w
// (first maximum in row-major window order, a NaN counting as the largest). ELEMENTWISE over |y|.
// max_pool2d_backward_T: dx[n, c, argmax] += dy[n, c, oh, ow] (dx zero-filled first; atomics for
// overlapping windows). ELEMENTWISE over |dy|; plane = OH·OW, in_plane = H·W.
// avg_pool2d_T: y = Σ window / (KH·KW), padding counted as zeros. ELEMENTWISE over |y|.
// avg_pool2d_backward_T: dx[n, c, h, w] = Σ over windows covering (h, w) of dy / (KH·KW). ELEMENTWISE over |dx|.
#define DEFINE_POOL(sfx, T, ATOMIC_ADD) \
extern "C" __global__ void max_pool2d_##sfx(const T* x, T* y, int* argmax, Conv g) \
{ \
    long long total = (long long)g.n * g.c * g.oh * g.ow; \
    FOR_EACH(t, total) \
    { \
        int ow = (int)(t % g.ow); long long t2 = t / g.ow; int oh = (int)(t2 % g.oh); long long nc = t2 / g.oh; \
        const T* plane = x + nc * g.h * g.w; \
        int best = -1; T bv = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hh = oh * g.stride - g.pad + i; if (hh < 0 || hh >= g.h) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ww = ow * g.stride - g.pad + j; if (ww < 0 || ww >= g.w) continue; \
                T v = plane[hh * g.w + ww]; \
                if (best < 0 || beats(v, bv)) { bv = v; best = hh * g.w + ww; } \
            } \
        } \
        y[t] = bv; argmax[t] = best < 0 ? 0 : best; \
    } \
} \
extern "C" __global__ void max_pool2d_backward_##sfx(const T* dy, const int* argmax, T* dx, long long total, long long plane, long long in_plane) \
{ FOR_EACH(t, total) ATOMIC_ADD(&dx[(t / plane) * in_plane + argmax[t]], dy[t]); } \
extern "C" __global__ void avg_pool2d_##sfx(const T* x, T* y, Conv g) \
{ \
    long long total = (long long)g.n * g.c * g.oh * g.ow; \
    FOR_EACH(t, total) \
    { \
        int ow = (int)(t % g.ow); long long t2 = t / g.ow; int oh = (int)(t2 % g.oh); long long nc = t2 / g.oh; \
        const T* plane = x + nc * g.h * g.w; \
        T acc = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hh = oh * g.stride - g.pad + i; if (hh < 0 || hh >= g.h) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ww = ow * g.stride - g.pad + j; if (ww < 0 || ww >= g.w) continue; \
                acc += plane[hh * g.w + ww]; \
            } \
        } \
        y[t] = acc / (T)(g.kh * g.kw); \
    } \
} \
extern "C" __global__ void avg_pool2d_backward_##sfx(const T* dy, T* dx, Conv g) \
{ \
    long long total = (long long)g.n * g.c * g.h * g.w; \
    FOR_EACH(t, total) \
    { \
        int w = (int)(t % g.w); long long t2 = t / g.w; int h = (int)(t2 % g.h); long long nc = t2 / g.h; \
        const T* plane = dy + nc * g.oh * g.ow; \
        T acc = (T)0; \
        for (int i = 0; i < g.kh; ++i) \
        { \
            int hs = h + g.pad - i; if (hs < 0 || hs % g.stride != 0) continue; \
            int oh = hs / g.stride; if (oh >= g.oh) continue; \
            for (int j = 0; j < g.kw; ++j) \
            { \
                int ws = w + g.pad - j; if (ws < 0 || ws % g.stride != 0) continue; \
                int ow = ws / g.stride; if (ow >= g.ow) continue; \
                acc += plane[oh * g.ow + ow]; \
            } \
        } \
        dx[t] = acc / (T)(g.kh * g.kw); \
    } \
}
DEFINE_POOL(f32, float, atomicAdd)
DEFINE_POOL(f64, double, atomicAdd)
