using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Engine;

/// <summary>Which GEMM inner loop to run.</summary>
internal enum GemmKernel
{
    /// <summary>The plain triple loop, <see cref="Gemm.Reference{T}"/>.</summary>
    Reference,
    /// <summary>Packed, 6 × (2 Vector512) tile (AVX-512F machines).</summary>
    Vector512,
    /// <summary>Packed, 6 × (2 Vector256) tile (AVX2 + FMA machines).</summary>
    Vector256,
    /// <summary>Packed, 6 × (2 Vector&lt;T&gt;) tile (any SIMD width, e.g. ARM NEON).</summary>
    VectorT,
}

public static partial class Gemm
{
    // Each microkernel: C[rows, cols] (+)= alpha · Σ_p A[r, p] · b[p·NR + j] over one A strip (MR × kc,
    // element (r, p) at a[r·rs + p·cs]: packed strips have rs = 1, cs = MR; an unpacked row-major A has
    // rs = K, cs = 1; an unpacked transposed A has rs = 1, cs = M) and one packed B strip (kc × NR, NR = two vectors). Twelve accumulators live in
    // registers (6 rows × 2 vectors); every step loads two B vectors, broadcasts six A values and
    // issues twelve fused multiply-adds. A full tile is added to (or, on the first K slice with
    // beta = 0, written into) C directly; a ragged edge tile goes through a small buffer.

    /// <summary>
    /// The R.Count × 2·Vector256 microkernel (R.Count = 4, 5 or 6 accumulator rows; the JIT compiles one copy per
    /// row count and drops the rows past it): a last tile of 4 rows (100 = 16·6 + 4) costs 4/6 of a 6-row one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Kernel256<T, R>(int kc, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha, bool resume)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, ITileRows
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        if (resume)
        {
            // The chains go on from C's valid rows and columns (the second vector under a mask of cols − w lanes).
            var mr = FirstLanes<T>(cols - w);
            c00 = Vector256.Load(c); c01 = LoadFirst(c + w, mr);
            if (rows > 1) { c10 = Vector256.Load(c + ldc); c11 = LoadFirst(c + ldc + w, mr); }
            if (rows > 2) { c20 = Vector256.Load(c + 2 * ldc); c21 = LoadFirst(c + 2 * ldc + w, mr); }
            if (rows > 3) { c30 = Vector256.Load(c + 3 * ldc); c31 = LoadFirst(c + 3 * ldc + w, mr); }
            if (R.Count > 4 && rows > 4) { c40 = Vector256.Load(c + 4 * ldc); c41 = LoadFirst(c + 4 * ldc + w, mr); }
            if (R.Count > 5 && rows > 5) { c50 = Vector256.Load(c + 5 * ldc); c51 = LoadFirst(c + 5 * ldc + w, mr); }
            accumulate = false;
        }
        // Rows past the edge read row 0 again (their results are dropped), so no load leaves A.
        nint o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0, o4 = rows > 4 ? 4 * rs : 0, o5 = rows > 5 ? 5 * rs : 0;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var x = Vector256.Create(a[0]); c00 = Fma256(x, b0, c00); c01 = Fma256(x, b1, c01);
            x = Vector256.Create(a[o1]); c10 = Fma256(x, b0, c10); c11 = Fma256(x, b1, c11);
            x = Vector256.Create(a[o2]); c20 = Fma256(x, b0, c20); c21 = Fma256(x, b1, c21);
            x = Vector256.Create(a[o3]); c30 = Fma256(x, b0, c30); c31 = Fma256(x, b1, c31);
            if (R.Count > 4) { x = Vector256.Create(a[o4]); c40 = Fma256(x, b0, c40); c41 = Fma256(x, b1, c41); }
            if (R.Count > 5) { x = Vector256.Create(a[o5]); c50 = Fma256(x, b0, c50); c51 = Fma256(x, b1, c51); }
            a += cs;
            b += ldb;
        }
        if (alpha != T.One)
        {
            c00 *= alpha; c01 *= alpha; c10 *= alpha; c11 *= alpha; c20 *= alpha; c21 *= alpha;
            c30 *= alpha; c31 *= alpha; c40 *= alpha; c41 *= alpha; c50 *= alpha; c51 *= alpha;
        }
        bool full = rows == R.Count && cols == 2 * w;
        if (!full && cols > w && HasMaskedStores<T>())
        {
            // A ragged tile (last rows, or last columns wider than one vector; narrower strips take Kernel256Half):
            // each valid row's first vector whole, its second under a mask of cols − w lanes (all of them for full columns).
            var m1 = FirstLanes<T>(cols - w);
            PutMasked256(c, c00, c01, m1, accumulate);
            if (rows > 1) PutMasked256(c + ldc, c10, c11, m1, accumulate);
            if (rows > 2) PutMasked256(c + 2 * ldc, c20, c21, m1, accumulate);
            if (rows > 3) PutMasked256(c + 3 * ldc, c30, c31, m1, accumulate);
            if (rows > 4) PutMasked256(c + 4 * ldc, c40, c41, m1, accumulate);
            if (rows > 5) PutMasked256(c + 5 * ldc, c50, c51, m1, accumulate);
            return;
        }
        T* edge = stackalloc T[full ? 0 : MR * 2 * w];
        T* t = full ? c : edge;
        int ld = full ? ldc : 2 * w;
        bool acc = full && accumulate;
        Put256(t, c00, c01, acc); Put256(t + ld, c10, c11, acc); Put256(t + 2 * ld, c20, c21, acc);
        Put256(t + 3 * ld, c30, c31, acc);
        if (R.Count > 4) Put256(t + 4 * ld, c40, c41, acc);
        if (R.Count > 5) Put256(t + 5 * ld, c50, c51, acc);
        if (!full) CopyEdge(edge, 2 * w, c, ldc, rows, cols, accumulate);
    }

    /// <summary>
    /// The R.Count × 1·Vector256 microkernel for a last B strip at most one vector wide (N = 50 ends in a
    /// strip of 2): half the work of the full tile. It reads the first <paramref name="cols"/> values of
    /// each B row under a mask, so B may be read in place (the lanes past column N are never touched).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Kernel256Half<T, R>(int kc, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha, bool resume)
        where T : unmanaged, IFloatingPointIeee754<T> where R : struct, ITileRows
    {
        int w = Vector256<T>.Count;
        Vector256<T> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        nint o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0, o4 = rows > 4 ? 4 * rs : 0, o5 = rows > 5 ? 5 * rs : 0;
        var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(cols * (8 / w)));
        if (resume)
        {
            // The chains go on from C's valid rows and first cols columns.
            c0 = LoadFirst(c, mask);
            if (rows > 1) c1 = LoadFirst(c + ldc, mask);
            if (rows > 2) c2 = LoadFirst(c + 2 * ldc, mask);
            if (rows > 3) c3 = LoadFirst(c + 3 * ldc, mask);
            if (R.Count > 4 && rows > 4) c4 = LoadFirst(c + 4 * ldc, mask);
            if (R.Count > 5 && rows > 5) c5 = LoadFirst(c + 5 * ldc, mask);
            accumulate = false;
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = LoadFirst(b, mask);
            c0 = Fma256(Vector256.Create(a[0]), b0, c0);
            c1 = Fma256(Vector256.Create(a[o1]), b0, c1);
            c2 = Fma256(Vector256.Create(a[o2]), b0, c2);
            c3 = Fma256(Vector256.Create(a[o3]), b0, c3);
            if (R.Count > 4) c4 = Fma256(Vector256.Create(a[o4]), b0, c4);
            if (R.Count > 5) c5 = Fma256(Vector256.Create(a[o5]), b0, c5);
            a += cs;
            b += ldb;
        }
        if (alpha != T.One) { c0 *= alpha; c1 *= alpha; c2 *= alpha; c3 *= alpha; c4 *= alpha; c5 *= alpha; }
        T* t = stackalloc T[MR * w];
        c0.Store(t); c1.Store(t + w); c2.Store(t + 2 * w); c3.Store(t + 3 * w); c4.Store(t + 4 * w); c5.Store(t + 5 * w);
        CopyEdge(t, w, c, ldc, rows, cols, accumulate);
    }

    /// <summary>Whether ragged tiles can be stored under lane masks (AVX masked loads and stores of float or double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasMaskedStores<T>() => Avx.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>A mask (as 32-bit lanes) selecting the first <paramref name="count"/> elements of a Vector256 of T (none for count ≤ 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> FirstLanes<T>(int count) where T : unmanaged =>
        Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count * (8 / Vector256<T>.Count)));

    /// <summary>
    /// One row of a ragged tile: c[0, w) (+)= v0 and c[w, 2w) (+)= v1 in the lanes <paramref name="m1"/> selects; C under
    /// the other lanes is neither read nor written. The sums are CopyEdge's (c + tile), without the buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PutMasked256<T>(T* c, Vector256<T> v0, Vector256<T> v1, Vector256<int> m1, bool accumulate)
        where T : unmanaged
    {
        int w = Vector256<T>.Count;
        if (m1 == Vector256<int>.AllBitsSet)
        {
            Put256(c, v0, v1, accumulate); // a full row: plain loads and stores
            return;
        }
        if (accumulate) { v0 = Vector256.Add(Vector256.Load(c), v0); v1 = Vector256.Add(LoadFirst(c + w, m1), v1); }
        v0.Store(c);
        StoreFirst(c + w, v1, m1);
    }

    /// <summary>Stores the lanes of v where <paramref name="mask"/> (as 32-bit lanes) is set; memory under the other lanes is not touched.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreFirst<T>(T* p, Vector256<T> v, Vector256<int> mask) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) Avx.MaskStore((float*)p, mask.AsSingle(), v.AsSingle());
        else if (typeof(T) == typeof(double)) Avx.MaskStore((double*)p, mask.AsDouble(), v.AsDouble());
        else throw new NotSupportedException($"Gemm: masked stores of {typeof(T).Name}."); // HasMaskedStores is false for other types
    }

    /// <summary>The lanes of a vector at p where <paramref name="mask"/> (as 32-bit lanes) is set, zero elsewhere; masked-off memory is not read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<T> LoadFirst<T>(T* p, Vector256<int> mask) where T : unmanaged
    {
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float)) return Avx.MaskLoad((float*)p, mask.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Avx.MaskLoad((double*)p, mask.AsDouble()).As<double, T>();
        }
        return Vector256.Load(p); // only packed (zero-padded) strips reach here: see Gemm.DirectB
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put256<T>(T* c, Vector256<T> v0, Vector256<T> v1, bool accumulate) where T : unmanaged
    {
        int w = Vector256<T>.Count;
        if (accumulate) { v0 += Vector256.Load(c); v1 += Vector256.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    /// <summary>a·b + c, one rounding where the CPU has FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma256<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c) where T : unmanaged
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float)) return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }

    /// <summary>The 6 × 2·Vector512 microkernel (AVX-512F; runs, slowly, in software elsewhere).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Kernel512<T>(int kc, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Rows past the edge read row 0 again (their results are dropped), so no load leaves A.
        nint o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0, o4 = rows > 4 ? 4 * rs : 0, o5 = rows > 5 ? 5 * rs : 0;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var x = Vector512.Create(a[0]); c00 = Fma512(x, b0, c00); c01 = Fma512(x, b1, c01);
            x = Vector512.Create(a[o1]); c10 = Fma512(x, b0, c10); c11 = Fma512(x, b1, c11);
            x = Vector512.Create(a[o2]); c20 = Fma512(x, b0, c20); c21 = Fma512(x, b1, c21);
            x = Vector512.Create(a[o3]); c30 = Fma512(x, b0, c30); c31 = Fma512(x, b1, c31);
            x = Vector512.Create(a[o4]); c40 = Fma512(x, b0, c40); c41 = Fma512(x, b1, c41);
            x = Vector512.Create(a[o5]); c50 = Fma512(x, b0, c50); c51 = Fma512(x, b1, c51);
            a += cs;
            b += ldb;
        }
        if (alpha != T.One)
        {
            c00 *= alpha; c01 *= alpha; c10 *= alpha; c11 *= alpha; c20 *= alpha; c21 *= alpha;
            c30 *= alpha; c31 *= alpha; c40 *= alpha; c41 *= alpha; c50 *= alpha; c51 *= alpha;
        }
        bool full = rows == MR && cols == 2 * w;
        T* edge = stackalloc T[full ? 0 : MR * 2 * w];
        T* t = full ? c : edge;
        int ld = full ? ldc : 2 * w;
        bool acc = full && accumulate;
        Put512(t, c00, c01, acc); Put512(t + ld, c10, c11, acc); Put512(t + 2 * ld, c20, c21, acc);
        Put512(t + 3 * ld, c30, c31, acc); Put512(t + 4 * ld, c40, c41, acc); Put512(t + 5 * ld, c50, c51, acc);
        if (!full) CopyEdge(edge, 2 * w, c, ldc, rows, cols, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put512<T>(T* c, Vector512<T> v0, Vector512<T> v1, bool accumulate) where T : unmanaged
    {
        int w = Vector512<T>.Count;
        if (accumulate) { v0 += Vector512.Load(c); v1 += Vector512.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma512<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c) where T : unmanaged
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float)) return Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double)) return Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }

    /// <summary>The 6 × 2·Vector&lt;T&gt; microkernel, for machines without AVX2 (SSE, ARM NEON).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void KernelT<T>(int kc, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector<T>.Count;
        Vector<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Rows past the edge read row 0 again (their results are dropped), so no load leaves A.
        nint o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0, o4 = rows > 4 ? 4 * rs : 0, o5 = rows > 5 ? 5 * rs : 0;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector.Load(b);
            var b1 = Vector.Load(b + w);
            var x = new Vector<T>(a[0]); c00 = FmaT(x, b0, c00); c01 = FmaT(x, b1, c01);
            x = new Vector<T>(a[o1]); c10 = FmaT(x, b0, c10); c11 = FmaT(x, b1, c11);
            x = new Vector<T>(a[o2]); c20 = FmaT(x, b0, c20); c21 = FmaT(x, b1, c21);
            x = new Vector<T>(a[o3]); c30 = FmaT(x, b0, c30); c31 = FmaT(x, b1, c31);
            x = new Vector<T>(a[o4]); c40 = FmaT(x, b0, c40); c41 = FmaT(x, b1, c41);
            x = new Vector<T>(a[o5]); c50 = FmaT(x, b0, c50); c51 = FmaT(x, b1, c51);
            a += cs;
            b += ldb;
        }
        if (alpha != T.One)
        {
            c00 *= alpha; c01 *= alpha; c10 *= alpha; c11 *= alpha; c20 *= alpha; c21 *= alpha;
            c30 *= alpha; c31 *= alpha; c40 *= alpha; c41 *= alpha; c50 *= alpha; c51 *= alpha;
        }
        bool full = rows == MR && cols == 2 * w;
        T* edge = stackalloc T[full ? 0 : MR * 2 * w];
        T* t = full ? c : edge;
        int ld = full ? ldc : 2 * w;
        bool acc = full && accumulate;
        PutT(t, c00, c01, acc); PutT(t + ld, c10, c11, acc); PutT(t + 2 * ld, c20, c21, acc);
        PutT(t + 3 * ld, c30, c31, acc); PutT(t + 4 * ld, c40, c41, acc); PutT(t + 5 * ld, c50, c51, acc);
        if (!full) CopyEdge(edge, 2 * w, c, ldc, rows, cols, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PutT<T>(T* c, Vector<T> v0, Vector<T> v1, bool accumulate) where T : unmanaged
    {
        int w = Vector<T>.Count;
        if (accumulate) { v0 += Vector.Load(c); v1 += Vector.Load(c + w); }
        v0.Store(c);
        v1.Store(c + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> FmaT<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged
    {
        if (Fma.IsSupported || AdvSimd.IsSupported)
        {
            if (typeof(T) == typeof(float)) return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
            if (typeof(T) == typeof(double)) return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }
        return a * b + c;
    }

    /// <summary>Adds (or writes) the valid rows×cols corner of a full tile held in <paramref name="tile"/> into C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void CopyEdge<T>(T* tile, int ldt, T* c, int ldc, int rows, int cols, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
                c[(long)r * ldc + j] = accumulate ? c[(long)r * ldc + j] + tile[r * ldt + j] : tile[r * ldt + j];
    }

    /// <summary>
    /// o[c·ldo + r] = s[r·ld + c] for an 8×8 float block (r, c &lt; 8): eight row loads, an AVX register
    /// transpose (unpack, shuffle, 128-bit permute), eight row stores. Used by the transB packing and by Permute.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Transpose8x8(float* s, nint ld, float* o, nint ldo)
    {
        var r0 = Avx.LoadVector256(s); var r1 = Avx.LoadVector256(s + ld);
        var r2 = Avx.LoadVector256(s + 2 * ld); var r3 = Avx.LoadVector256(s + 3 * ld);
        var r4 = Avx.LoadVector256(s + 4 * ld); var r5 = Avx.LoadVector256(s + 5 * ld);
        var r6 = Avx.LoadVector256(s + 6 * ld); var r7 = Avx.LoadVector256(s + 7 * ld);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(o, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(o + ldo, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(o + 2 * ldo, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(o + 3 * ldo, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(o + 4 * ldo, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(o + 5 * ldo, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(o + 6 * ldo, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(o + 7 * ldo, Avx.Permute2x128(u3, u7, 0x31));
    }
}
