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

    /// <summary>The microkernel on a packed B strip, rows <paramref name="ldb"/> apart (see the kernel below).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Kernel<T, TV, V, R>(int kc, T* a, nint rs, nint cs, T* b, nint ldb, T* c, int ldc, int rows, int cols, bool accumulate, T alpha, bool resume)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : struct, ISimd<TV, T> where R : struct, ITileRows
        => Kernel<T, TV, V, R, PackedRows<T>, NoEpilogue<TV, T>>(kc, a, rs, cs, new PackedRows<T>(b, ldb), c, ldc, rows, cols, accumulate, alpha, resume, default);

    /// <summary>
    /// The R.Count × 2-vector microkernel on any vector type TV (V: Vector256, Vector512 or Vector&lt;T&gt; operations;
    /// R.Count = 4, 5 or 6 accumulator rows, or 8 for the implicit conv's Vector512 tiles), B row p at b.Row(p) (a
    /// packed strip, or for the conv the image read in place): the JIT compiles one copy per vector type, row count and
    /// B source and drops the rows past R.Count, so a last tile of 4 rows (100 = 16·6 + 4) costs 4/6 of a 6-row one.
    /// With <paramref name="resume"/> the sums start from C's values: the FMA chains of an earlier K block go on.
    /// An active epilogue <typeparamref name="TE"/> (the implicit conv's store into y) takes each valid row's sums
    /// instead of the store into C; <see cref="NoEpilogue{TV, T}"/> compiles to the plain store.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // compiled fully optimised at once, skipping tier-0 code
    private static unsafe void Kernel<T, TV, V, R, TB, TE>(int kc, T* a, nint rs, nint cs, TB b, T* c, int ldc, int rows, int cols, bool accumulate, T alpha, bool resume, in TE epilogue)
        where T : unmanaged, IFloatingPointIeee754<T> where TV : struct where V : struct, ISimd<TV, T> where R : struct, ITileRows where TB : struct, IBRows<T>
        where TE : struct, IEpilogue<TV, T>
    {
        int w = V.Count;
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        TV c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        TV c60 = default, c61 = default, c70 = default, c71 = default;
        if (resume)
        {
            // The chains go on from C's valid rows and columns (the second vector's first cols − w lanes).
            int m = cols - w;
            c00 = V.Load(c); c01 = V.LoadFirst(c + w, m);
            if (rows > 1) { c10 = V.Load(c + ldc); c11 = V.LoadFirst(c + ldc + w, m); }
            if (rows > 2) { c20 = V.Load(c + 2 * ldc); c21 = V.LoadFirst(c + 2 * ldc + w, m); }
            if (rows > 3) { c30 = V.Load(c + 3 * ldc); c31 = V.LoadFirst(c + 3 * ldc + w, m); }
            if (R.Count > 4 && rows > 4) { c40 = V.Load(c + 4 * ldc); c41 = V.LoadFirst(c + 4 * ldc + w, m); }
            if (R.Count > 5 && rows > 5) { c50 = V.Load(c + 5 * ldc); c51 = V.LoadFirst(c + 5 * ldc + w, m); }
            if (R.Count > 6 && rows > 6) { c60 = V.Load(c + 6 * ldc); c61 = V.LoadFirst(c + 6 * ldc + w, m); }
            if (R.Count > 7 && rows > 7) { c70 = V.Load(c + 7 * ldc); c71 = V.LoadFirst(c + 7 * ldc + w, m); }
            accumulate = false;
        }
        // Rows past the edge read row 0 again (their results are dropped), so no load leaves A.
        nint o1 = rows > 1 ? rs : 0, o2 = rows > 2 ? 2 * rs : 0, o3 = rows > 3 ? 3 * rs : 0, o4 = rows > 4 ? 4 * rs : 0, o5 = rows > 5 ? 5 * rs : 0;
        nint o6 = R.Count > 6 && rows > 6 ? 6 * rs : 0, o7 = R.Count > 7 && rows > 7 ? 7 * rs : 0;
        for (int p = 0; p < kc; p++)
        {
            T* row = b.Row(p);
            var b0 = V.Load(row);
            var b1 = V.Load(row + w);
            var x = V.Splat(a[0]); c00 = V.Fma(x, b0, c00); c01 = V.Fma(x, b1, c01);
            x = V.Splat(a[o1]); c10 = V.Fma(x, b0, c10); c11 = V.Fma(x, b1, c11);
            x = V.Splat(a[o2]); c20 = V.Fma(x, b0, c20); c21 = V.Fma(x, b1, c21);
            x = V.Splat(a[o3]); c30 = V.Fma(x, b0, c30); c31 = V.Fma(x, b1, c31);
            if (R.Count > 4) { x = V.Splat(a[o4]); c40 = V.Fma(x, b0, c40); c41 = V.Fma(x, b1, c41); }
            if (R.Count > 5) { x = V.Splat(a[o5]); c50 = V.Fma(x, b0, c50); c51 = V.Fma(x, b1, c51); }
            if (R.Count > 6) { x = V.Splat(a[o6]); c60 = V.Fma(x, b0, c60); c61 = V.Fma(x, b1, c61); }
            if (R.Count > 7) { x = V.Splat(a[o7]); c70 = V.Fma(x, b0, c70); c71 = V.Fma(x, b1, c71); }
            a += cs;
        }
        if (alpha != T.One)
        {
            c00 = V.Scale(c00, alpha); c01 = V.Scale(c01, alpha); c10 = V.Scale(c10, alpha); c11 = V.Scale(c11, alpha);
            c20 = V.Scale(c20, alpha); c21 = V.Scale(c21, alpha); c30 = V.Scale(c30, alpha); c31 = V.Scale(c31, alpha);
            c40 = V.Scale(c40, alpha); c41 = V.Scale(c41, alpha); c50 = V.Scale(c50, alpha); c51 = V.Scale(c51, alpha);
            c60 = V.Scale(c60, alpha); c61 = V.Scale(c61, alpha); c70 = V.Scale(c70, alpha); c71 = V.Scale(c71, alpha);
        }
        if (TE.Active)
        {
            epilogue.Row(c, 0, c00, c01, accumulate);
            if (rows > 1) epilogue.Row(c + ldc, 1, c10, c11, accumulate);
            if (rows > 2) epilogue.Row(c + 2 * ldc, 2, c20, c21, accumulate);
            if (rows > 3) epilogue.Row(c + 3 * ldc, 3, c30, c31, accumulate);
            if (R.Count > 4 && rows > 4) epilogue.Row(c + 4 * ldc, 4, c40, c41, accumulate);
            if (R.Count > 5 && rows > 5) epilogue.Row(c + 5 * ldc, 5, c50, c51, accumulate);
            if (R.Count > 6 && rows > 6) epilogue.Row(c + 6 * ldc, 6, c60, c61, accumulate);
            if (R.Count > 7 && rows > 7) epilogue.Row(c + 7 * ldc, 7, c70, c71, accumulate);
            return;
        }
        bool full = rows == R.Count && cols == 2 * w;
        if (!full && cols > w && V.HasMasks)
        {
            // A ragged tile (last rows, or last columns wider than one vector; narrower Vector256 strips take Kernel256Half):
            // each valid row's first vector whole, its second's first cols − w lanes.
            int m = cols - w;
            PutFirst<T, TV, V>(c, c00, c01, m, accumulate);
            if (rows > 1) PutFirst<T, TV, V>(c + ldc, c10, c11, m, accumulate);
            if (rows > 2) PutFirst<T, TV, V>(c + 2 * ldc, c20, c21, m, accumulate);
            if (rows > 3) PutFirst<T, TV, V>(c + 3 * ldc, c30, c31, m, accumulate);
            if (rows > 4) PutFirst<T, TV, V>(c + 4 * ldc, c40, c41, m, accumulate);
            if (rows > 5) PutFirst<T, TV, V>(c + 5 * ldc, c50, c51, m, accumulate);
            if (R.Count > 6 && rows > 6) PutFirst<T, TV, V>(c + 6 * ldc, c60, c61, m, accumulate);
            if (R.Count > 7 && rows > 7) PutFirst<T, TV, V>(c + 7 * ldc, c70, c71, m, accumulate);
            return;
        }
        T* edge = stackalloc T[full ? 0 : R.Count * 2 * w];
        T* t = full ? c : edge;
        int ld = full ? ldc : 2 * w;
        bool acc = full && accumulate;
        Put<T, TV, V>(t, c00, c01, acc); Put<T, TV, V>(t + ld, c10, c11, acc); Put<T, TV, V>(t + 2 * ld, c20, c21, acc);
        Put<T, TV, V>(t + 3 * ld, c30, c31, acc);
        if (R.Count > 4) Put<T, TV, V>(t + 4 * ld, c40, c41, acc);
        if (R.Count > 5) Put<T, TV, V>(t + 5 * ld, c50, c51, acc);
        if (R.Count > 6) Put<T, TV, V>(t + 6 * ld, c60, c61, acc);
        if (R.Count > 7) Put<T, TV, V>(t + 7 * ld, c70, c71, acc);
        if (!full) CopyEdge(edge, 2 * w, c, ldc, rows, cols, accumulate);
    }

    /// <summary>One tile row: c[0, 2w) (+)= (v0, v1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Put<T, TV, V>(T* c, TV v0, TV v1, bool accumulate) where T : unmanaged where TV : struct where V : struct, ISimd<TV, T>
    {
        int w = V.Count;
        if (accumulate) { v0 = V.Add(v0, V.Load(c)); v1 = V.Add(v1, V.Load(c + w)); }
        V.Store(c, v0);
        V.Store(c + w, v1);
    }

    /// <summary>
    /// One row of a ragged tile: c[0, w) (+)= v0 and the first <paramref name="count"/> lanes of c[w, 2w) (+)= v1; C past
    /// them is neither read nor written. The sums are CopyEdge's (c + tile), without the buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PutFirst<T, TV, V>(T* c, TV v0, TV v1, int count, bool accumulate) where T : unmanaged where TV : struct where V : struct, ISimd<TV, T>
    {
        int w = V.Count;
        if (count >= w)
        {
            Put<T, TV, V>(c, v0, v1, accumulate); // a full row: plain loads and stores
            return;
        }
        if (accumulate) { v0 = V.Add(V.Load(c), v0); v1 = V.Add(V.LoadFirst(c + w, count), v1); }
        V.Store(c, v0);
        V.StoreFirst(c + w, v1, count);
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
        var mask = FirstLanes<T>(cols);
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
