using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine;

// The backward of the CPU's implicit-GEMM convolution, from the gradient g [N, F, OH, OW] (NCHW, as the forward
// wrote y) and the input x itself (the forward keeps no im2col matrix):
//   dx: for stride 1 and a square window with pad ≤ KH − 1, dx = conv2d(g, W') with W'[c, f, i, j] =
//       W[f, c, KH−1−i, KW−1−j] and padding KH−1−pad — the forward's implicit GEMM again; otherwise
//       dcols = gᵀ · W [OH·OW, C·KH·KW] scattered into dx (col2im): band by band of output rows when W is small
//       (CpuBackend.Conv.Implicit.Bands.cs), else image by image with the GEMM on every thread;
//   dW [F, C·KH·KW] = Σ_n g_n · cols_n: for one image its im2col, then one GEMM on every thread; for several,
//       dWᵀ = Σ_n rows_n · g_nᵀ with rows_n = cols_nᵀ [C·KH·KW, OH·OW] made from the zero-bordered image in a
//       scratch block just before its GEMM (CpuBackend.Conv.WindowRows.cs).
// Every sum runs in an order fixed by the shapes (fixed image chunks, partials added in chunk order), so the
// results do not depend on the number of threads.
public sealed partial class CpuBackend
{
    /// <summary>
    /// Gradients of y = conv2d(x, w2) for g = ∂L/∂y [N, F, OH, OW], x [N, C, H, W], w2 [F, C·KH·KW]: dx [N, C, H, W]
    /// and dw2 [F, C·KH·KW] (either may be null: not wanted), both overwritten.
    /// </summary>
    internal void Conv2dImplicitBackward(Tensor g, Tensor x, Tensor w2, int kh, int kw, int stride, int pad, Tensor? dx, Tensor? dw2, int maxThreads = int.MaxValue)
        => Dispatch(g, "Conv2d backward", new Conv2dImplicitBackwardCall(g, x, w2, ConvGeometry.Of(x.ShapeRef, kh, kw, stride, pad), dx, dw2, maxThreads));

    private readonly record struct Conv2dImplicitBackwardCall(Tensor G, Tensor X, Tensor W2, ConvGeometry Geo, Tensor? Dx, Tensor? Dw2, int MaxThreads) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => Conv2dImplicitBackwardT<T>(G, X, W2, Geo, Dx, Dw2, MaxThreads);
    }

    /// <summary>Whether dx is the implicit conv of g with the flipped weights (stride 1, square window, pad ≤ KH − 1).</summary>

    private static bool DxIsConv(ConvGeometry g) => g.Stride == 1 && g.KH == g.KW && g.Pad <= g.KH - 1;

    private static void Conv2dImplicitBackwardT<T>(Tensor gy, Tensor x, Tensor w2, ConvGeometry g, Tensor? dx, Tensor? dw2, int maxThreads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int f = w2.ShapeRef[0], k = g.C * g.KH * g.KW, positions = g.OH * g.OW;
        if (w2.ShapeRef[1] != k || Tensor.SizeOf(gy.ShapeRef) != (long)g.N * f * positions
            || (dx is not null && Tensor.SizeOf(dx.ShapeRef) != x.Size) || (dw2 is not null && dw2.Size != (long)f * k))
            throw new ArgumentException($"Conv2d backward: expected g [{g.N}, {f}, {g.OH}, {g.OW}], w2 and dw2 [{f}, {k}], dx [{g.N}, {g.C}, {g.H}, {g.W}].");
        T[] gs = Data<T>(gy), xs = Data<T>(x), ws = Data<T>(w2);
        int threads = Math.Clamp(Math.Min(maxThreads, WorkerPool.Threads), 1, WorkerPool.Threads);
        if (dx is not null)
        {
            if (DxIsConv(g)) DxAsConv(gs, ws, g, f, Data<T>(dx), threads);
            else if (DxInBands(f, k, Unsafe.SizeOf<T>())) DxByBands(gs, ws, g, f, Data<T>(dx), threads);
            else DxByCol2Im(gs, ws, g, f, Data<T>(dx), threads);
        }
        if (dw2 is not null) DwByImages(gs, xs, g, f, Data<T>(dw2), threads);
    }

    /// <summary>
    /// Whether dx's conv (geometry <paramref name="back"/>: g [N, F, OH, OW] bordered by KH − 1 − pad, C outputs) reads its
    /// bordered input in place (float, AVX-512, several images) rather than gathering windows: in place computes KH − 1
    /// dropped columns of every padded row of Wp; that pays here whenever they are at most a quarter of the row (the
    /// forward's rule, <see cref="Gemm.UsesInPlace{T}"/>, allows a twelfth), since dx's conv has few outputs (C) for the
    /// F·KH·KW values gathered per position.
    /// </summary>
    private static bool DxInPlace<T>(ConvGeometry back, int c) where T : unmanaged =>
        back.N > 1 && back.Pad > 0 && back.Stride == 1
        && Gemm.UsesInPlace<T>(Gemm.ConvKernel<T>(c, back.OH * back.OW, back.C * back.KH * back.KW), 1, back.W + 2 * back.Pad, back.OW, share: 4);

    /// <summary>dx = conv2d(g, W'), W' [C, F·KH·KW] the flipped, transposed weights, padding KH − 1 − pad (stride 1).</summary>
    private static void DxAsConv<T>(T[] gs, T[] ws, ConvGeometry g, int f, T[] ds, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kk = g.KH * g.KW, k = g.C * kk;
        T[] flipped = ArrayPool<T>.Shared.Rent(f * k);
        try
        {
            // flipped[c, (f·KH + i)·KW + j] = w[f, c, KH−1−i, KW−1−j], rows of flipped c shared out among the threads.
            For(g.C, (c0, c1) =>
            {
                for (int c = c0; c < c1; c++)
                    for (int o = 0; o < f; o++)
                    {
                        var from = ws.AsSpan((o * g.C + c) * kk, kk);
                        var to = flipped.AsSpan((c * f + o) * kk, kk);
                        for (int t = 0; t < kk; t++) to[t] = from[kk - 1 - t];
                    }
            }, grain: Grain((long)f * kk));
            var back = new ConvGeometry(g.N, f, g.OH, g.OW, g.KH, g.KW, 1, g.KH - 1 - g.Pad, g.H, g.W);
            if (DxInPlace<T>(back, g.C))
            {
                // g with a zero border and the in-place B's overhang of zeros after it, read as B in place.
                T[] padded = PadImages(gs, back, InPlaceSlack(back));
                try
                {
                    ImplicitForwardInPlace((float[])(object)padded, (float[])(object)flipped, default,
                        Bordered(back), g.C, (float[])(object)ds, threads);
                }
                finally { ArrayPool<T>.Shared.Return(padded); }
            }
            else ImplicitForward(gs, flipped, default(ImplicitOutput<T>), back, g.C, ds, threads);
        }
        finally { ArrayPool<T>.Shared.Return(flipped); }
    }

    /// <summary>
    /// dx[n] = col2im(g_nᵀ · W) image by image: the GEMM [OH·OW, C·KH·KW] on every thread (its split keeps each
    /// element's sum; g_n [F, P] is read as a transposed A, not transposed first),
    /// then the scatter-add shared out by channels (each channel's plane is written by one thread).
    /// </summary>
    private static void DxByCol2Im<T>(T[] gs, T[] ws, ConvGeometry g, int f, T[] ds, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.C * g.KH * g.KW, positions = g.OH * g.OW, plane = g.H * g.W;
        T[] dcols = ArrayPool<T>.Shared.Rent(positions * k);
        try
        {
            for (int n = 0; n < g.N; n++)
            {
                // dcols [P, K] = g_nᵀ · W: g_n is stored [F, P], i.e. transposed.
                Gemm.RunWith(Gemm.KernelFor<T>(positions, k, f), threads, true, false, positions, k, f, T.One,
                    gs.AsMemory(n * f * positions, f * positions), ws.AsMemory(0, f * k), T.Zero, dcols.AsMemory(0, positions * k));
                ds.AsSpan(n * g.C * plane, g.C * plane).Clear();
                int parts = Math.Min(g.C, 4 * threads), image = n;
                WorkerPool.For(parts, part => Col2ImAdd(dcols, g, image, 0, g.OH, g.C * part / parts, g.C * (part + 1) / parts, ds), threads);
            }
        }
        finally { ArrayPool<T>.Shared.Return(dcols); }
    }

    /// <summary>
    /// dx[n, c] += the entries of dcols [(oh1 − oh0)·OW, C·KH·KW] (output rows [oh0, oh1) of image n) that fall on
    /// plane c, for channels [c0, c1). Each dx element gets its terms in (oh, ow, i, j) order.
    /// </summary>
    private static void Col2ImAdd<T>(T[] dcols, ConvGeometry g, int n, int oh0, int oh1, int c0, int c1, T[] ds) where T : unmanaged, INumberBase<T>
    {
        int kk = g.KH * g.KW, width = g.C * kk, plane = g.H * g.W, kw = g.KW, kh = g.KH, w = g.W, h = g.H;
        ref T dRef = ref MemoryMarshal.GetArrayDataReference(ds);
        ref T cRef = ref MemoryMarshal.GetArrayDataReference(dcols);
        for (int c = c0; c < c1; c++)
        {
            int planeBase = (n * g.C + c) * plane;
            for (int oh = oh0; oh < oh1; oh++)
            {
                int h0 = oh * g.Stride - g.Pad, iLo = Math.Max(0, -h0), iHi = Math.Min(kh, h - h0);
                for (int ow = 0; ow < g.OW; ow++)
                {
                    int w0 = ow * g.Stride - g.Pad, jLo = Math.Max(0, -w0), jHi = Math.Min(kw, w - w0);
                    int src = ((oh - oh0) * g.OW + ow) * width + c * kk;
                    // Bounds were established above: window rows iLo..iHi and columns jLo..jHi lie inside plane c.
                    for (int i = iLo; i < iHi; i++)
                    {
                        ref T d = ref Unsafe.Add(ref dRef, planeBase + (h0 + i) * w + w0);
                        ref T s = ref Unsafe.Add(ref cRef, src + i * kw);
                        for (int j = jLo; j < jHi; j++) Unsafe.Add(ref d, j) += Unsafe.Add(ref s, j);
                    }
                }
            }
        }
    }

    /// <summary>
    /// dW [F, K] = Σ_n g_n [F, P] · cols_n [P, K]. One image: its im2col, then one GEMM on every thread. Several:
    /// fixed image chunks (as many whatever the thread count), each with one scratch block rows_n = cols_nᵀ [K, P]
    /// and its own partial dWᵀ [K, F] (+)= rows_n · g_nᵀ; the partials are added in chunk order and transposed into dW.
    /// </summary>
    private static void DwByImages<T>(T[] gs, T[] xs, ConvGeometry g, int f, T[] dws, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = g.C * g.KH * g.KW, positions = g.OH * g.OW;
        if (g.N == 0 || positions == 0) { dws.AsSpan(0, f * k).Clear(); return; }
        int rowWidth = g.OW * k;
        if (g.N == 1)
        {
            T[] cols = ArrayPool<T>.Shared.Rent(positions * k);
            try
            {
                For(g.OH, (s, e) => Im2ColRows(xs, g, s, e, cols, s * rowWidth), grain: Grain(rowWidth));
                Gemm.RunWith(Gemm.KernelFor<T>(f, k, positions), threads, false, false, f, k, positions, T.One,
                    gs.AsMemory(0, f * positions), cols.AsMemory(0, positions * k), T.Zero, dws.AsMemory(0, f * k));
            }
            finally { ArrayPool<T>.Shared.Return(cols); }
            return;
        }
        // dWᵀ [K, F] (+)= rows_n · g_nᵀ with rows_n [K, P] the transposed im2col of image n, read from x with a zero
        // border (so no window meets the padding); dW is dWᵀ transposed at the end.
        T[]? xp = g.Pad > 0 ? PadImages(xs, g, 0) : null;
        var pg = xp is null ? g : Bordered(g);
        int image = pg.C * pg.H * pg.W;
        var partials = new T[ImageChunks(g.N)][];
        ForImageChunks(g.N, (chunk, n0, n1) =>
        {
            T[] rows = ArrayPool<T>.Shared.Rent(k * positions + Vector256<float>.Count);
            T[] dwT = partials[chunk] = ArrayPool<T>.Shared.Rent(k * f);
            try
            {
                for (int n = n0; n < n1; n++)
                {
                    WindowRows(xp ?? xs, n * image, pg, rows);
                    Gemm1(false, true, k, f, positions, rows.AsMemory(0, k * positions), gs.AsMemory(n * f * positions, f * positions),
                        n == n0 ? T.Zero : T.One, dwT.AsMemory(0, k * f));
                }
            }
            finally { ArrayPool<T>.Shared.Return(rows); }
        });
        if (xp is not null) ArrayPool<T>.Shared.Return(xp);
        var sum = partials[0].AsSpan(0, k * f);
        for (int c = 1; c < partials.Length; c++)
        {
            var add = partials[c].AsSpan(0, k * f);
            for (int i = 0; i < sum.Length; i++) sum[i] += add[i];
            ArrayPool<T>.Shared.Return(partials[c]);
        }
        // dW [F, K] = dWᵀ transposed, rows of dW shared out among the threads.
        T[] total = partials[0];
        For(f, (f0, f1) =>
        {
            for (int o = f0; o < f1; o++)
                for (int r = 0; r < k; r++) dws[o * k + r] = total[r * f + o];
        }, grain: Grain(k));
        ArrayPool<T>.Shared.Return(total);
    }
}
