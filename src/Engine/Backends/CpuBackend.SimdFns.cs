using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine;

public sealed partial class CpuBackend
{
    // ---- the SIMD twins: each formula once as a scalar (Apply and the loop tails use it) and once on Vector<T> lanes

    private interface IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        static abstract T Scalar(T x);
        static abstract Vector<T> Vector(Vector<T> x);
    }

    private interface IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        static abstract T Scalar(T a, T b);
        static abstract Vector<T> Vector(Vector<T> a, Vector<T> b);
    }

    /// <summary>e^x on a vector of float or double (Vector.Exp, within an ulp or so of Math.Exp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<T> VecExp<T>(Vector<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return System.Numerics.Vector.Exp(x.As<T, float>()).As<float, T>();
        return System.Numerics.Vector.Exp(x.As<T, double>()).As<double, T>();
    }

    private struct NegFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x) => -x;
        public static Vector<T> Vector(Vector<T> x) => -x;
    }

    private struct AbsFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x) => T.Abs(x);
        public static Vector<T> Vector(Vector<T> x) => System.Numerics.Vector.Abs(x);
    }

    private struct SquareFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x) => x * x;
        public static Vector<T> Vector(Vector<T> x) => x * x;
    }

    private struct SqrtFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x) => T.Sqrt(x);
        public static Vector<T> Vector(Vector<T> x) => System.Numerics.Vector.SquareRoot(x);
    }

    private struct ReluFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        // 0 where x ≤ 0, else x (NaN stays NaN, as torch.relu).
        public static T Scalar(T x) => x <= T.Zero ? T.Zero : x;
        public static Vector<T> Vector(Vector<T> x) => System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThanOrEqual(x, Vector<T>.Zero), Vector<T>.Zero, x);
    }

    private struct ExpFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x) => T.Exp(x);
        public static Vector<T> Vector(Vector<T> x) => VecExp(x);
    }

    private struct LogFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x) => T.Log(x);
        public static Vector<T> Vector(Vector<T> x) => typeof(T) == typeof(float)
            ? System.Numerics.Vector.Log(x.As<T, float>()).As<float, T>()
            : System.Numerics.Vector.Log(x.As<T, double>()).As<double, T>();
    }

    private struct SigmoidFn<T> : IUnaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x) => T.One / (T.One + T.Exp(-x));
        public static Vector<T> Vector(Vector<T> x) => Vector<T>.One / (Vector<T>.One + VecExp(-x));
    }

    private struct AddFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => a + b;
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => a + b;
    }

    private struct SubFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => a - b;
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => a - b;
    }

    private struct MulFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => a * b;
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => a * b;
    }

    private struct DivFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => a / b;
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => a / b;
    }

    private struct MaxFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => T.Max(a, b);
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => System.Numerics.Vector.Max(a, b);
    }

    private struct MinFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => T.Min(a, b);
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => System.Numerics.Vector.Min(a, b);
    }

    private struct GreaterFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => a > b ? T.One : T.Zero;
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(a, b), Vector<T>.One, Vector<T>.Zero);
    }

    private struct EqualFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => a == b ? T.One : T.Zero;
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.Equals(a, b), Vector<T>.One, Vector<T>.Zero);
    }

    /// <summary>(x, dy) → 0 where x ≤ 0 (±0 included), else dy (a NaN x passes dy, as PyTorch's threshold_backward).</summary>
    private struct ReluBackwardFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T x, T dy) => x <= T.Zero ? T.Zero : dy;
        public static Vector<T> Vector(Vector<T> x, Vector<T> dy) => System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThanOrEqual(x, Vector<T>.Zero), Vector<T>.Zero, dy);
    }

    /// <summary>(y, dy) → dy · y · (1 − y).</summary>
    private struct SigmoidBackwardFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T y, T dy) => dy * y * (T.One - y);
        public static Vector<T> Vector(Vector<T> y, Vector<T> dy) => dy * y * (Vector<T>.One - y);
    }

    /// <summary>(y, dy) → dy · (1 − y²).</summary>
    private struct TanhBackwardFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T y, T dy) => dy * (T.One - y * y);
        public static Vector<T> Vector(Vector<T> y, Vector<T> dy) => dy * (Vector<T>.One - y * y);
    }
}
