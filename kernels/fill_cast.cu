// Included by kernels.cu (the one file nvcc and NVRTC compile); uses its macros FOR_EACH, MAX_RANK and shared_raw.

// =============================================================================================
// Fill, cast
// =============================================================================================

// fill_T: t[i] = value. ELEMENTWISE over n.
#define DEFINE_FILL(sfx, T) \
extern "C" __global__ void fill_##sfx(T* t, T value, long long n) { FOR_EACH(i, n) t[i] = value; }
DEFINE_FILL(f32, float)
DEFINE_FILL(f64, double)
DEFINE_FILL(i32, int)
DEFINE_FILL(i64, long long)

// cast_S_D: dst[i] = (D) src[i]; float → int truncates toward zero (like PyTorch's .long()); out-of-range
// values saturate and NaN gives 0 (cvt.rzi), as on the CPU. ELEMENTWISE.
#define DEFINE_CAST(ss, S, ds, D, expr) \
extern "C" __global__ void cast_##ss##_##ds(const S* src, D* dst, long long n) { FOR_EACH(i, n) { S v = src[i]; dst[i] = (expr); } }
// The saturation written out, so the host emulation (where C++ leaves out-of-range casts undefined) computes it too.
template <typename S> __device__ __forceinline__ int to_i32(S v)
{ return v != v ? 0 : v >= (S)2147483648.0 ? 2147483647 : v <= (S)-2147483648.0 ? -2147483647 - 1 : (int)v; }
template <typename S> __device__ __forceinline__ long long to_i64(S v)
{ return v != v ? 0 : v >= (S)9223372036854775808.0 ? 9223372036854775807LL : v <= (S)-9223372036854775808.0 ? -9223372036854775807LL - 1 : (long long)v; }
DEFINE_CAST(f32, float, f64, double, (double)v)
DEFINE_CAST(f32, float, i32, int, to_i32(v))
DEFINE_CAST(f32, float, i64, long long, to_i64(v))
DEFINE_CAST(f64, double, f32, float, (float)v)
DEFINE_CAST(f64, double, i32, int, to_i32(v))
DEFINE_CAST(f64, double, i64, long long, to_i64(v))
DEFINE_CAST(i32, int, f32, float, (float)v)
DEFINE_CAST(i32, int, f64, double, (double)v)
DEFINE_CAST(i32, int, i64, long long, (long long)v)
DEFINE_CAST(i64, long long, f32, float, (float)v)
DEFINE_CAST(i64, long long, f64, double, (double)v)
DEFINE_CAST(i64, long long, i32, int, (int)v)
