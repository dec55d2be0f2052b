// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Elementwise: fill, cast, unary, binary (NumPy broadcasting), binary with a scalar, activation
// backwards, dropout, permute. Every kernel here is ELEMENTWISE (grid-stride over n) and y may alias x.
// =============================================================================================

// fill_T: t[i] = value.
template <typename T> __device__ void fill(T* t, T value, long long n) { FOR_EACH(i, n) t[i] = value; }
extern "C" __global__ void fill_f32(float* t, float value, long long n) { fill(t, value, n); }
extern "C" __global__ void fill_f64(double* t, double value, long long n) { fill(t, value, n); }
extern "C" __global__ void fill_i32(int* t, int value, long long n) { fill(t, value, n); }
extern "C" __global__ void fill_i64(long long* t, long long value, long long n) { fill(t, value, n); }

// cast_S_D: dst[i] = (D) src[i]; float → int truncates toward zero (like PyTorch's .long()); out-of-range
// values saturate and NaN gives 0 (cvt.rzi), as on the CPU. The saturation is written out, so the host
// emulation (where C++ leaves out-of-range casts undefined) computes it too.
template <typename S> __device__ __forceinline__ int to_i32(S v)
{ return v != v ? 0 : v >= (S)2147483648.0 ? 2147483647 : v <= (S)-2147483648.0 ? -2147483647 - 1 : (int)v; }
template <typename S> __device__ __forceinline__ long long to_i64(S v)
{ return v != v ? 0 : v >= (S)9223372036854775808.0 ? 9223372036854775807LL : v <= (S)-9223372036854775808.0 ? -9223372036854775807LL - 1 : (long long)v; }
template <typename D> struct To { template <typename S> __device__ D operator()(S v) const { return (D)v; } };
struct ToI32 { template <typename S> __device__ int operator()(S v) const { return to_i32(v); } };
struct ToI64 { template <typename S> __device__ long long operator()(S v) const { return to_i64(v); } };
template <typename S, typename D, typename F> __device__ void cast(const S* src, D* dst, long long n, F to) { FOR_EACH(i, n) dst[i] = to(src[i]); }
extern "C" __global__ void cast_f32_f64(const float* src, double* dst, long long n) { cast(src, dst, n, To<double>()); }
extern "C" __global__ void cast_f32_i32(const float* src, int* dst, long long n) { cast(src, dst, n, ToI32()); }
extern "C" __global__ void cast_f32_i64(const float* src, long long* dst, long long n) { cast(src, dst, n, ToI64()); }
extern "C" __global__ void cast_f64_f32(const double* src, float* dst, long long n) { cast(src, dst, n, To<float>()); }
extern "C" __global__ void cast_f64_i32(const double* src, int* dst, long long n) { cast(src, dst, n, ToI32()); }
extern "C" __global__ void cast_f64_i64(const double* src, long long* dst, long long n) { cast(src, dst, n, ToI64()); }
extern "C" __global__ void cast_i32_f32(const int* src, float* dst, long long n) { cast(src, dst, n, To<float>()); }
extern "C" __global__ void cast_i32_f64(const int* src, double* dst, long long n) { cast(src, dst, n, To<double>()); }
extern "C" __global__ void cast_i32_i64(const int* src, long long* dst, long long n) { cast(src, dst, n, To<long long>()); }
extern "C" __global__ void cast_i64_f32(const long long* src, float* dst, long long n) { cast(src, dst, n, To<float>()); }
extern "C" __global__ void cast_i64_f64(const long long* src, double* dst, long long n) { cast(src, dst, n, To<double>()); }
extern "C" __global__ void cast_i64_i32(const long long* src, int* dst, long long n) { cast(src, dst, n, To<int>()); }

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

// The unary maps f(x), one functor each (T is float or double).
struct Neg { template <typename T> __device__ T operator()(T x) const { return -x; } };
struct Exp { template <typename T> __device__ T operator()(T x) const { return exp_t(x); } };
struct Log { template <typename T> __device__ T operator()(T x) const { return log_t(x); } };
struct Sqrt { template <typename T> __device__ T operator()(T x) const { return sqrt_t(x); } };
struct Abs { template <typename T> __device__ T operator()(T x) const { return abs_t(x); } };
struct Square { template <typename T> __device__ T operator()(T x) const { return x * x; } };
struct Relu { template <typename T> __device__ T operator()(T x) const { return x <= (T)0 ? (T)0 : x; } };
struct Sigmoid { template <typename T> __device__ T operator()(T x) const { return (T)1 / ((T)1 + exp_t(-x)); } };
struct Tanh { template <typename T> __device__ T operator()(T x) const { return tanh_t(x); } };
struct Sign { template <typename T> __device__ T operator()(T x) const { return x > (T)0 ? (T)1 : (x < (T)0 ? (T)-1 : (T)0); } };
struct RoundFloat16 { template <typename T> __device__ T operator()(T x) const { return (T)round_f16((float)x); } };
struct RoundBFloat16 { template <typename T> __device__ T operator()(T x) const { return (T)round_bf16((float)x); } };

// unary_OP_T: y[i] = f(x[i]).
template <typename T, typename F> __device__ void unary(const T* xs, T* ys, long long n, F f) { FOR_EACH(i, n) ys[i] = f(xs[i]); }
extern "C" __global__ void unary_neg_f32(const float* x, float* y, long long n) { unary(x, y, n, Neg()); }
extern "C" __global__ void unary_neg_f64(const double* x, double* y, long long n) { unary(x, y, n, Neg()); }
extern "C" __global__ void unary_exp_f32(const float* x, float* y, long long n) { unary(x, y, n, Exp()); }
extern "C" __global__ void unary_exp_f64(const double* x, double* y, long long n) { unary(x, y, n, Exp()); }
extern "C" __global__ void unary_log_f32(const float* x, float* y, long long n) { unary(x, y, n, Log()); }
extern "C" __global__ void unary_log_f64(const double* x, double* y, long long n) { unary(x, y, n, Log()); }
extern "C" __global__ void unary_sqrt_f32(const float* x, float* y, long long n) { unary(x, y, n, Sqrt()); }
extern "C" __global__ void unary_sqrt_f64(const double* x, double* y, long long n) { unary(x, y, n, Sqrt()); }
extern "C" __global__ void unary_abs_f32(const float* x, float* y, long long n) { unary(x, y, n, Abs()); }
extern "C" __global__ void unary_abs_f64(const double* x, double* y, long long n) { unary(x, y, n, Abs()); }
extern "C" __global__ void unary_square_f32(const float* x, float* y, long long n) { unary(x, y, n, Square()); }
extern "C" __global__ void unary_square_f64(const double* x, double* y, long long n) { unary(x, y, n, Square()); }
extern "C" __global__ void unary_relu_f32(const float* x, float* y, long long n) { unary(x, y, n, Relu()); }
extern "C" __global__ void unary_relu_f64(const double* x, double* y, long long n) { unary(x, y, n, Relu()); }
extern "C" __global__ void unary_sigmoid_f32(const float* x, float* y, long long n) { unary(x, y, n, Sigmoid()); }
extern "C" __global__ void unary_sigmoid_f64(const double* x, double* y, long long n) { unary(x, y, n, Sigmoid()); }
extern "C" __global__ void unary_tanh_f32(const float* x, float* y, long long n) { unary(x, y, n, Tanh()); }
extern "C" __global__ void unary_tanh_f64(const double* x, double* y, long long n) { unary(x, y, n, Tanh()); }
extern "C" __global__ void unary_sign_f32(const float* x, float* y, long long n) { unary(x, y, n, Sign()); }
extern "C" __global__ void unary_sign_f64(const double* x, double* y, long long n) { unary(x, y, n, Sign()); }
extern "C" __global__ void unary_roundfloat16_f32(const float* x, float* y, long long n) { unary(x, y, n, RoundFloat16()); }
extern "C" __global__ void unary_roundfloat16_f64(const double* x, double* y, long long n) { unary(x, y, n, RoundFloat16()); }
extern "C" __global__ void unary_roundbfloat16_f32(const float* x, float* y, long long n) { unary(x, y, n, RoundBFloat16()); }
extern "C" __global__ void unary_roundbfloat16_f64(const double* x, double* y, long long n) { unary(x, y, n, RoundBFloat16()); }

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

// The binary maps f(a, b); maximum/minimum propagate NaN (max_nan), greater/equal give 1 or 0.
struct Add { template <typename T> __device__ T operator()(T a, T b) const { return a + b; } };
struct Sub { template <typename T> __device__ T operator()(T a, T b) const { return a - b; } };
struct Mul { template <typename T> __device__ T operator()(T a, T b) const { return a * b; } };
struct Div { template <typename T> __device__ T operator()(T a, T b) const { return a / b; } };
struct Pow { template <typename T> __device__ T operator()(T a, T b) const { return pow_t(a, b); } };
struct Maximum { template <typename T> __device__ T operator()(T a, T b) const { return max_nan(a, b); } };
struct Minimum { template <typename T> __device__ T operator()(T a, T b) const { return min_nan(a, b); } };
struct Greater { template <typename T> __device__ T operator()(T a, T b) const { return a > b ? (T)1 : (T)0; } };
struct Equal { template <typename T> __device__ T operator()(T a, T b) const { return a == b ? (T)1 : (T)0; } };

// binary_OP_T: y[i] = f(a[ia], b[ib]) with broadcasting; y may alias a or b. n = |y|.
template <typename T, typename F> __device__ void binary(const T* as, const T* bs, T* ys, long long n, Broadcast bc, F f)
{ FOR_EACH(i, n) { long long oa, ob; broadcast_offsets(bc, i, oa, ob); ys[i] = f(as[oa], bs[ob]); } }
// binary_scalar_OP_T: y[i] = f(a[i], s), or f(s, a[i]) when scalar_first.
template <typename T, typename F> __device__ void binary_scalar(const T* as, T s, T* ys, long long n, int scalar_first, F f)
{ FOR_EACH(i, n) { T a = scalar_first ? s : as[i], b = scalar_first ? as[i] : s; ys[i] = f(a, b); } }
extern "C" __global__ void binary_add_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Add()); }
extern "C" __global__ void binary_add_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Add()); }
extern "C" __global__ void binary_sub_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Sub()); }
extern "C" __global__ void binary_sub_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Sub()); }
extern "C" __global__ void binary_mul_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Mul()); }
extern "C" __global__ void binary_mul_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Mul()); }
extern "C" __global__ void binary_div_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Div()); }
extern "C" __global__ void binary_div_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Div()); }
extern "C" __global__ void binary_pow_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Pow()); }
extern "C" __global__ void binary_pow_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Pow()); }
extern "C" __global__ void binary_maximum_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Maximum()); }
extern "C" __global__ void binary_maximum_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Maximum()); }
extern "C" __global__ void binary_minimum_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Minimum()); }
extern "C" __global__ void binary_minimum_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Minimum()); }
extern "C" __global__ void binary_greater_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Greater()); }
extern "C" __global__ void binary_greater_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Greater()); }
extern "C" __global__ void binary_equal_f32(const float* a, const float* b, float* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Equal()); }
extern "C" __global__ void binary_equal_f64(const double* a, const double* b, double* y, long long n, Broadcast bc) { binary(a, b, y, n, bc, Equal()); }
extern "C" __global__ void binary_scalar_add_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Add()); }
extern "C" __global__ void binary_scalar_add_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Add()); }
extern "C" __global__ void binary_scalar_sub_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Sub()); }
extern "C" __global__ void binary_scalar_sub_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Sub()); }
extern "C" __global__ void binary_scalar_mul_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Mul()); }
extern "C" __global__ void binary_scalar_mul_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Mul()); }
extern "C" __global__ void binary_scalar_div_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Div()); }
extern "C" __global__ void binary_scalar_div_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Div()); }
extern "C" __global__ void binary_scalar_pow_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Pow()); }
extern "C" __global__ void binary_scalar_pow_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Pow()); }
extern "C" __global__ void binary_scalar_maximum_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Maximum()); }
extern "C" __global__ void binary_scalar_maximum_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Maximum()); }
extern "C" __global__ void binary_scalar_minimum_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Minimum()); }
extern "C" __global__ void binary_scalar_minimum_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Minimum()); }
extern "C" __global__ void binary_scalar_greater_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Greater()); }
extern "C" __global__ void binary_scalar_greater_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Greater()); }
extern "C" __global__ void binary_scalar_equal_f32(const float* a, float s, float* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Equal()); }
extern "C" __global__ void binary_scalar_equal_f64(const double* a, double s, double* y, long long n, int scalar_first) { binary_scalar(a, s, y, n, scalar_first, Equal()); }

// relu_backward_T: dx = 0 where x ≤ 0 (±0 included), else dy (NaN x passes dy, as PyTorch's threshold_backward).
template <typename T> __device__ void relu_backward(const T* x, const T* dy, T* dx, long long n) { FOR_EACH(i, n) dx[i] = x[i] <= (T)0 ? (T)0 : dy[i]; }
extern "C" __global__ void relu_backward_f32(const float* x, const float* dy, float* dx, long long n) { relu_backward(x, dy, dx, n); }
extern "C" __global__ void relu_backward_f64(const double* x, const double* dy, double* dx, long long n) { relu_backward(x, dy, dx, n); }
// sigmoid_backward_T: dx = dy · y · (1 − y) from the output y.
template <typename T> __device__ void sigmoid_backward(const T* y, const T* dy, T* dx, long long n) { FOR_EACH(i, n) { T v = y[i]; dx[i] = dy[i] * v * ((T)1 - v); } }
extern "C" __global__ void sigmoid_backward_f32(const float* y, const float* dy, float* dx, long long n) { sigmoid_backward(y, dy, dx, n); }
extern "C" __global__ void sigmoid_backward_f64(const double* y, const double* dy, double* dx, long long n) { sigmoid_backward(y, dy, dx, n); }
// tanh_backward_T: dx = dy · (1 − y²) from the output y.
template <typename T> __device__ void tanh_backward(const T* y, const T* dy, T* dx, long long n) { FOR_EACH(i, n) { T v = y[i]; dx[i] = dy[i] * ((T)1 - v * v); } }
extern "C" __global__ void tanh_backward_f32(const float* y, const float* dy, float* dx, long long n) { tanh_backward(y, dy, dx, n); }
extern "C" __global__ void tanh_backward_f64(const double* y, const double* dy, double* dx, long long n) { tanh_backward(y, dy, dx, n); }
// dropout_T: y = x · mask · scale (inverted dropout; the 0/1 mask is drawn on the CPU).
template <typename T> __device__ void dropout(const T* x, const T* mask, T scale, T* y, long long n) { FOR_EACH(i, n) y[i] = x[i] * mask[i] * scale; }
extern "C" __global__ void dropout_f32(const float* x, const float* mask, float scale, float* y, long long n) { dropout(x, mask, scale, y, n); }
extern "C" __global__ void dropout_f64(const double* x, const double* mask, double scale, double* y, long long n) { dropout(x, mask, scale, y, n); }

// How y's index maps to x's: y.shape and, per y axis, the x stride it walks (x stride of perm[d]).
struct Permutation
{
    long long rank;
    long long shape[MAX_RANK];
    long long step[MAX_RANK];
};

// permute_T: y[i0..ir] = x[Σ i_d · step_d]. n = |y| (coalesced writes).
template <typename T> __device__ void permute(const T* x, T* y, long long n, Permutation p)
{
    FOR_EACH(i, n)
    {
        long long rest = i, off = 0;
        for (int d = (int)p.rank - 1; d >= 0; --d) { long long idx = rest % p.shape[d]; rest /= p.shape[d]; off += idx * p.step[d]; }
        y[i] = x[off];
    }
}
extern "C" __global__ void permute_f32(const float* x, float* y, long long n, Permutation p) { permute(x, y, n, p); }
extern "C" __global__ void permute_f64(const double* x, double* y, long long n, Permutation p) { permute(x, y, n, p); }
extern "C" __global__ void permute_i32(const int* x, int* y, long long n, Permutation p) { permute(x, y, n, p); }
extern "C" __global__ void permute_i64(const long long* x, long long* y, long long n, Permutation p) { permute(x, y, n, p); }
