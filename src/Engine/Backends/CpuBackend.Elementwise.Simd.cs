using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine;

// The SIMD elementwise loops: each runs a function struct of CpuBackend.SimdFns.cs (IUnaryFn / IBinaryFn,
// the same formula as a scalar and as a Vector<T>; the JIT compiles one loop per struct) over Vector<T>
// lanes and then the scalar tail. They serve flat arrays, row broadcasts ([N,M] op [M]), column
// broadcasts ([N,M] op [N,1]) and tensor–scalar ops; the reductions, softmax and optimiser updates use them too.
public sealed partial class CpuBackend
{
    /// <summary>ys = f(xs) over whole arrays, in parallel chunks when large.</summary>
    private static void MapAll<T, F>(T[] xs, T[] ys) where T : unmanaged, IFloatingPointIeee754<T> where F : IUnaryFn<T>
        => For(xs.Length, (s, e) => Map<T, F>(xs.AsSpan(s, e - s), ys.AsSpan(s, e - s)));

    /// <summary>y[i] = f(x[i]); y may be x.</summary>
    private static void Map<T, F>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> where F : IUnaryFn<T>
    {
        ref T rx = ref MemoryMarshal.GetReference(x);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length, i = 0, w = (nuint)Vector<T>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + w <= n; i += w) F.Vector(Vector.LoadUnsafe(ref rx, i)).StoreUnsafe(ref ry, i);
        for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(Unsafe.Add(ref rx, i));
    }

    /// <summary>
    /// The SIMD cases: equal sizes, one side a single value, one side a trailing block of y's shape
    /// (row broadcast, e.g. [N,M] + [M]) or a leading block (column broadcast, e.g. [N,M] · [N,1]).
    /// False when the shapes are another broadcast (the general loop takes those).
    /// </summary>
    private static bool BinaryFast<T, F>(Tensor a, Tensor b, Tensor y) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
    {
        T[] av = Data<T>(a), bv = Data<T>(b), yv = Data<T>(y);
        long size = y.Size;
        if (size == 0) return true;
        if (a.Size == size && b.Size == size)
        {
            For(size, (s, e) => Map<T, F>(av.AsSpan(s, e - s), bv.AsSpan(s, e - s), yv.AsSpan(s, e - s)));
            return true;
        }
        if (b.Size == 1 && a.Size == size)
        {
            T s0 = bv[0];
            For(size, (s, e) => MapScalar<T, F>(av.AsSpan(s, e - s), s0, yv.AsSpan(s, e - s), scalarFirst: false));
            return true;
        }
        if (a.Size == 1 && b.Size == size)
        {
            T s0 = av[0];
            For(size, (s, e) => MapScalar<T, F>(bv.AsSpan(s, e - s), s0, yv.AsSpan(s, e - s), scalarFirst: true));
            return true;
        }
        int[] ys = y.ShapeRef;
        bool aFull = a.Size == size, bFull = b.Size == size;
        if (aFull == bFull) return false;
        var small = aFull ? b : a;
        T[] fv = aFull ? av : bv, sv = aFull ? bv : av;
        bool smallFirst = !aFull;
        int inner = (int)small.Size;
        if (IsTrailingBlock(small.ShapeRef, ys))
        {
            // Row broadcast: every row of length `inner` meets the same small block. Short rows (a bias
            // of 16 over [N·H·W, 16]) are taken `group` at a time against the block repeated `group`
            // times, so each vector loop runs over ≥ 256 elements instead of one short row.
            long rows = size / inner;
            int group = Math.Max(1, 256 / inner);
            var block = sv.AsSpan(0, inner);
            T[] rep = group == 1 ? sv : new T[group * inner];
            if (group > 1) for (int i = 0; i < group; i++) block.CopyTo(rep.AsSpan(i * inner));
            For(rows, (s, e) =>
            {
                for (int r = s; r < e; r += group)
                {
                    int len = Math.Min(group, e - r) * inner;
                    var full = fv.AsSpan(r * inner, len);
                    var outRow = yv.AsSpan(r * inner, len);
                    var small = rep.AsSpan(0, len);
                    if (smallFirst) Map<T, F>(small, full, outRow); else Map<T, F>(full, small, outRow);
                }
            }, grain: Math.Max(1, ParallelThreshold / inner));
            return true;
        }
        if (IsLeadingBlock(small.ShapeRef, ys))
        {
            // Column broadcast: row r (length size / small.Size) meets the single value small[r].
            int len = (int)(size / small.Size);
            For(small.Size, (s, e) =>
            {
                for (int r = s; r < e; r++)
                    MapScalar<T, F>(fv.AsSpan(r * len, len), sv[r], yv.AsSpan(r * len, len), smallFirst);
            }, grain: Math.Max(1, ParallelThreshold / Math.Max(len, 1)));
            return true;
        }
        return false;
    }

    /// <summary>True when <paramref name="s"/>, without its leading 1s, equals the last dimensions of <paramref name="y"/>.</summary>
    internal static bool IsTrailingBlock(int[] s, int[] y)
    {
        int start = 0;
        while (start < s.Length && s[start] == 1) start++;
        int len = s.Length - start;
        if (len > y.Length) return false;
        for (int i = 0; i < len; i++) if (s[start + i] != y[y.Length - len + i]) return false;
        return true;
    }

    /// <summary>True when <paramref name="s"/> (same rank as y) equals y's first dimensions followed only by 1s.</summary>
    internal static bool IsLeadingBlock(int[] s, int[] y)
    {
        if (s.Length != y.Length) return false;
        int d = 0;
        while (d < s.Length && s[d] == y[d]) d++;
        for (int i = d; i < s.Length; i++) if (s[i] != 1) return false;
        return true;
    }

    /// <summary>y[i] = f(a[i], b[i]); y may be a or b.</summary>
    private static void Map<T, F>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
    {
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T rb = ref MemoryMarshal.GetReference(b);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)a.Length, i = 0, w = (nuint)Vector<T>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i + w <= n; i += w) F.Vector(Vector.LoadUnsafe(ref ra, i), Vector.LoadUnsafe(ref rb, i)).StoreUnsafe(ref ry, i);
        for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(Unsafe.Add(ref ra, i), Unsafe.Add(ref rb, i));
    }

    /// <summary>y[i] = f(a[i], s), or f(s, a[i]) when <paramref name="scalarFirst"/>; y may be a.</summary>
    private static void MapScalar<T, F>(ReadOnlySpan<T> a, T s, Span<T> y, bool scalarFirst) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
    {
        ref T ra = ref MemoryMarshal.GetReference(a);
        ref T ry = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)a.Length, i = 0, w = (nuint)Vector<T>.Count;
        var vs = new Vector<T>(s);
        if (scalarFirst)
        {
            if (Vector.IsHardwareAccelerated)
                for (; i + w <= n; i += w) F.Vector(vs, Vector.LoadUnsafe(ref ra, i)).StoreUnsafe(ref ry, i);
            for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(s, Unsafe.Add(ref ra, i));
        }
        else
        {
            if (Vector.IsHardwareAccelerated)
                for (; i + w <= n; i += w) F.Vector(Vector.LoadUnsafe(ref ra, i), vs).StoreUnsafe(ref ry, i);
            for (; i < n; i++) Unsafe.Add(ref ry, i) = F.Scalar(Unsafe.Add(ref ra, i), s);
        }
    }

    /// <summary>y[i] = f(a[i], s) (or f(s, a[i])) over whole arrays, in parallel chunks when large.</summary>
    private static void ScalarAll<T, F>(T[] a, T s, T[] y, bool scalarFirst) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
        => For(a.Length, (st, e) => MapScalar<T, F>(a.AsSpan(st, e - st), s, y.AsSpan(st, e - st), scalarFirst));

    /// <summary>y[i] = f(a[i], b[i]) over whole arrays, in parallel chunks when large.</summary>
    private static void MapAllBinary<T, F>(T[] a, T[] b, T[] y) where T : unmanaged, IFloatingPointIeee754<T> where F : IBinaryFn<T>
        => For(y.Length, (s, e) => Map<T, F>(a.AsSpan(s, e - s), b.AsSpan(s, e - s), y.AsSpan(s, e - s)));
}
