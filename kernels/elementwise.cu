// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Elementwise: unary, binary (NumPy broadcasting), binary with a scalar, activation backwards
// =============================================================================================

// Rounding to the 16-bit float formats of mixed precision, result kept in float (the engine has no
// 16-bit dtype; the CPU twins are Engine.Amp.Precision.ToFloat16 / ToBFloat16). Round to nearest even,
// overflow to ±inf, NaN stays NaN; bit arithmetic only, so NVRTC needs no cuda_fp16.h.
// round_bf16: keep float32's top 16 bits (8 exponent, 7 mantissa bits).
__device__ __forceinline__ float round_bf16(float x)
{
    if (x != x) return x;
    unsigned int b = __float_as_uint(x);
    b += 0x7fffu + ((b >> 16) & 1u);
    return __uint_as_float(b & 0xffff0000u);
}
// round_f16: IEEE binary16. |x| ≥ 2^-14 keeps 10 mantissa bits, > 65504 after rounding is ±inf;
// below 2^-14 (half's subnormals) the result is a multiple of 2^-24, rounded by adding and removing
// 0.75f, whose float32 ulp is exactly 2^-24.
__device__ __forceinline__ float round_f16(float x)
{
    if (x != x) return x;
    unsigned int b = __float_as_uint(x);
    unsigned int sign = b & 0x80000000u, mag = b & 0x7fffffffu;
    if (mag >= 0x7f800000u) return x;
    if (mag >= 0x38800000u)
    {
        mag += 0xfffu + ((mag >> 13) & 1u);
        mag &= 0xffffe000u;
        if (mag > 0x477fe000u) mag = 0x7f800000u;
        return __uint_as_float(sign | mag);
    }
    float a = __uint_as_float(mag);
    float r = (a + 0.75f) - 0.75f;
    return __uint_as_float(sign | __float_as_uint(r));
}

// unary_OP_T: y[i] = f(x[i]); y may alias x. ELEMENTWISE over n.
#define DEFINE_UNARY(op, f32expr, f64expr) \
extern "C" __global__ void unary_##op##_f32(const float* xs, float* ys, long long n) { FOR_EACH(i, n) { float x = xs[i]; ys[i] = (f32expr); } } \
extern "C" __global__ void unary_##op##_f64(const double* xs, double* ys, long long n) { FOR_EACH(i, n) { double x = xs[i]; ys[i] = (f64expr); } }
DEFINE_UNARY(neg, -x, -x)
DEFINE_UNARY(exp, expf(x), exp(x))
DEFINE_UNARY(log, logf(x), log(x))
DEFINE_UNARY(sqrt, sqrtf(x), sqrt(x))
DEFINE_UNARY(abs, fabsf(x), fabs(x))
DEFINE_UNARY(square, x * x, x * x)
DEFINE_UNARY(relu, x <= 0.f ? 0.f : x, x <= 0.0 ? 0.0 : x)
DEFINE_UNARY(sigmoid, 1.f / (1.f + expf(-x)), 1.0 / (1.0 + exp(-x)))
DEFINE_UNARY(tanh, tanhf(x), tanh(x))
DEFINE_UNARY(sign, x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f), x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0))
DEFINE_UNARY(roundfloat16, round_f16(x), (double)round_f16((float)x))
DEFINE_UNARY(roundbfloat16, round_bf16(x), (double)round_bf16((float)x))

// How a and b are read when broadcast to y's shape: rank 0 means "all three have n elements".
// Strides are in elements and 0 along stretched axes (CpuBackend.BroadcastStrides).
struct Broadcast
{
    long long rank;
    long long shape[MAX_RANK];
    long long sa[MAX_RANK];
    long long sb[MAX_RANK];
};

__device__ __forceinline__ void broadcast_offsets(const Broadcast& bc, long long i, long long& oa, long long& ob)
{
    if (bc.rank == 0) { oa = i; ob = i; return; }
    oa = 0; ob = 0;
    for (int d = (int)bc.rank - 1; d >= 0; --d)
    {
        long long idx = i % bc.shape[d];
        i /= bc.shape[d];
        oa += idx * bc.sa[d];
        ob += idx * bc.sb[d];
    }
}

// binary_OP_T: y[i] = f(a[ia], b[ib]) with broadcasting; y may alias a or b. ELEMENTWISE over n = |y|.
// binary_scalar_OP_T: y[i] = f(a[i], s), or f(s, a[i]) when scalar_first. ELEMENTWISE.
#define DEFINE_BINARY(op, f32expr, f64expr) \
extern "C" __global__ void binary_##op##_f32(const float* as, const float* bs, float* ys, long long n, Broadcast bc) \
{ FOR_EACH(i, n) { long long oa, ob; broadcast_offsets(bc, i, oa, ob); float a = as[oa], b = bs[ob]; ys[i] = (f32expr); } } \
extern "C" __global__ void binary_##op##_f64(const double* as, const double* bs, double* ys, long long n, Broadcast bc) \
{ FOR_EACH(i, n) { long long oa, ob; broadcast_offsets(bc, i, oa, ob); double a = as[oa], b = bs[ob]; ys[i] = (f64expr); } } \
extern "C" __global__ void binary_scalar_##op##_f32(const float* as, float s, float* ys, long long n, int scalar_first) \
{ FOR_EACH(i, n) { float a = scalar_first ? s : as[i], b = scalar_first ? as[i] : s; ys[i] = (f32expr); } } \
extern "C" __global__ void binary_scalar_##op##_f64(const double* as, double s, double* ys, long long n, int scalar_first) \
{ FOR_EACH(i, n) { double a = scalar_first ? s : as[i], b = scalar_first ? as[i] : s; ys[i] = (f64expr); } }
DEFINE_BINARY(add, a + b, a + b)
DEFINE_BINARY(sub, a - b, a - b)
DEFINE_BINARY(mul, a * b, a * b)
DEFINE_BINARY(div, a / b, a / b)
DEFINE_BINARY(pow, powf(a, b), pow(a, b))
DEFINE_BINARY(maximum, max_nan(a, b), max_nan(a, b))
DEFINE_BINARY(minimum, min_nan(a, b), min_nan(a, b))
DEFINE_BINARY(greater, a > b ? 1.f : 0.f, a > b ? 1.0 : 0.0)
DEFINE_BINARY(equal, a == b ? 1.f : 0.f, a == b ? 1.0 : 0.0)

// relu_backward_T: dx = 0 where x ≤ 0 (±0 included), else dy (NaN x passes dy, as PyTorch's threshold_backward). ELEMENTWISE.
// sigmoid_backward_T: dx = dy · y · (1 − y) from the output y. ELEMENTWISE.
// tanh_backward_T: dx = dy · (1 − y²) from the output y. ELEMENTWISE.
// dropout_T: y = x · mask · scale (inverted dropout; mask of 0/1 drawn on the CPU). ELEMENTWISE.
#define DEFINE_ACT_BACKWARD(sfx, T) \
extern "C" __global__ void relu_backward_##sfx(const T* x, const T* dy, T* dx, long long n) { FOR_EACH(i, n) dx[i] = x[i] <= (T)0 ? (T)0 : dy[i]; } \
extern "C" __global__ void sigmoid_backward_##sfx(const T* y, const T* dy, T* dx, long long n) { FOR_EACH(i, n) { T v = y[i]; dx[i] = dy[i] * v * ((T)1 - v); } } \
extern "C" __global__ void tanh_backward_##sfx(const T* y, const T* dy, T* dx, long long n) { FOR_EACH(i, n) { T v = y[i]; dx[i] = dy[i] * ((T)1 - v * v); } } \
extern "C" __global__ void dropout_##sfx(const T* x, const T* mask, T scale, T* y, long long n) { FOR_EACH(i, n) y[i] = x[i] * mask[i] * scale; }
DEFINE_ACT_BACKWARD(f32, float)
DEFINE_ACT_BACKWARD(f64, double)
