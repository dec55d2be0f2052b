using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

public static partial class Gemm
{
    /// <summary>
    /// The vector operations of a microkernel on a vector type <typeparamref name="TV"/> of T lanes (Vector256, Vector512
    /// or Vector&lt;T&gt;). Each implementation is a struct, so the JIT compiles one copy of a kernel per vector type with
    /// these calls inlined: one kernel source serves every width.
    /// </summary>
    private unsafe interface ISimd<TV, T> where TV : struct where T : unmanaged
    {
        /// <summary>Lanes per vector.</summary>
        static abstract int Count { get; }

        /// <summary>Whether <see cref="LoadFirst"/> and <see cref="StoreFirst"/> run as masked loads and stores (else lane by lane: ragged tiles then go through a buffer).</summary>
        static abstract bool HasMasks { get; }

        /// <summary>The vector at p.</summary>
        static abstract TV Load(T* p);

        /// <summary>Stores v at p.</summary>
        static abstract void Store(T* p, TV v);

        /// <summary>x in every lane.</summary>
        static abstract TV Splat(T x);

        /// <summary>a·b + c, one rounding where the CPU has FMA.</summary>
        static abstract TV Fma(TV a, TV b, TV c);

        /// <summary>a + b.</summary>
        static abstract TV Add(TV a, TV b);

        /// <summary>a · s.</summary>
        static abstract TV Scale(TV a, T s);

        /// <summary>The first <paramref name="count"/> lanes at p, zero elsewhere; memory past them is not read.</summary>
        static abstract TV LoadFirst(T* p, int count);

        /// <summary>Stores the first <paramref name="count"/> lanes of v at p; memory past them is not touched.</summary>
        static abstract void StoreFirst(T* p, TV v, int count);
    }

    /// <summary>Vector256 (AVX2 + FMA; masked loads and stores of float and double).</summary>
    private readonly unsafe struct Simd256<T> : ISimd<Vector256<T>, T> where T : unmanaged
    {
        public static int Count => Vector256<T>.Count;
        public static bool HasMasks => HasMaskedStores<T>();
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Load(T* p) => Vector256.Load(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, Vector256<T> v) => v.Store(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Splat(T x) => Vector256.Create(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Fma(Vector256<T> a, Vector256<T> b, Vector256<T> c) => Fma256(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Add(Vector256<T> a, Vector256<T> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> Scale(Vector256<T> a, T s) => a * s;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<T> LoadFirst(T* p, int count) => Gemm.LoadFirst(p, FirstLanes<T>(count));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void StoreFirst(T* p, Vector256<T> v, int count) => Gemm.StoreFirst(p, v, FirstLanes<T>(count));
    }

    /// <summary>Vector512 (AVX-512F; runs, slowly, in software elsewhere); ragged tiles of float or double are stored under lane masks, other types go through a buffer.</summary>
    private readonly unsafe struct Simd512<T> : ISimd<Vector512<T>, T> where T : unmanaged
    {
        public static int Count => Vector512<T>.Count;
        public static bool HasMasks => Avx512F.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Load(T* p) => Vector512.Load(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, Vector512<T> v) => v.Store(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Splat(T x) => Vector512.Create(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c) => Fma512(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<T> Scale(Vector512<T> a, T s) => a * s;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<T> LoadFirst(T* p, int count)
        {
            if (HasMasks)
            {
                if (typeof(T) == typeof(float)) return Avx512F.MaskLoad((float*)p, FirstLanes512<T>(count).AsSingle(), Vector512<float>.Zero).As<float, T>();
                return Avx512F.MaskLoad((double*)p, FirstLanes512<T>(count).AsDouble(), Vector512<double>.Zero).As<double, T>();
            }
            var v = Vector512<T>.Zero;
            for (int i = 0; i < count && i < Count; i++) v = v.WithElement(i, p[i]);
            return v;
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreFirst(T* p, Vector512<T> v, int count)
        {
            if (HasMasks)
            {
                if (typeof(T) == typeof(float)) Avx512F.MaskStore((float*)p, FirstLanes512<T>(count).AsSingle(), v.AsSingle());
                else Avx512F.MaskStore((double*)p, FirstLanes512<T>(count).AsDouble(), v.AsDouble());
                return;
            }
            for (int i = 0; i < count && i < Count; i++) p[i] = v.GetElement(i);
        }
    }

    /// <summary>A mask selecting the first <paramref name="count"/> elements of a Vector512 of float or double (none for count ≤ 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> FirstLanes512<T>(int count) where T : unmanaged =>
        typeof(T) == typeof(double)
            ? Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).As<long, T>()
            : Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).As<int, T>();

    /// <summary>Vector&lt;T&gt; (any SIMD width, e.g. SSE or ARM NEON); ragged tiles go through a buffer, and the first lanes are read and written one by one.</summary>
    private readonly unsafe struct SimdT<T> : ISimd<Vector<T>, T> where T : unmanaged
    {
        public static int Count => Vector<T>.Count;
        public static bool HasMasks => false;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Load(T* p) => Vector.Load(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(T* p, Vector<T> v) => v.Store(p);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Splat(T x) => new(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Fma(Vector<T> a, Vector<T> b, Vector<T> c) => FmaT(a, b, c);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Add(Vector<T> a, Vector<T> b) => a + b;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector<T> Scale(Vector<T> a, T s) => a * s;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector<T> LoadFirst(T* p, int count)
        {
            var v = Vector<T>.Zero;
            for (int i = 0; i < count && i < Count; i++) v = v.WithElement(i, p[i]);
            return v;
        }
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreFirst(T* p, Vector<T> v, int count)
        {
            for (int i = 0; i < count && i < Count; i++) p[i] = v.GetElement(i);
        }
    }
}
