using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Engine;

// The blocked conv's microkernel: up to 6 outputs of one output row × up to 4 blocks of 16 filters (64 filters), 24
// accumulators in registers. Every step broadcasts one input value per output and multiplies it into the 4 filter
// vectors (W packed so that the 16 filters of a block are one vector): 4 vector loads and 6 broadcasts feed 24 FMAs.
// This is the shape of ONNX Runtime's NCHWc kernels: vectors along the filters, broadcasts from the image.
internal static partial class Nchwc
{
    /// <summary>Outputs of one tile (consecutive columns of an output row).</summary>
    internal const int TileOutputs = 6;

    /// <summary>Filter blocks of one tile (4 × 16 = 64 filters).</summary>
    internal const int TileBlocks = 4;

    /// <summary>One tile of <paramref name="count"/> (1–6) outputs: the kernel compiled for that count, so a short tile costs only its outputs' FMAs.</summary>
    internal static unsafe void Tile(float* x, nint rowStride, int* xoff, int* woff, int taps, int lanes, float* w, nint blockStride,
        int blocks, int count, in TileStore store)
    {
        switch (count)
        {
            case 1: Tile<Gemm.Rows1>(x, rowStride, xoff, woff, taps, lanes, w, blockStride, blocks, store); break;
            case 2: Tile<Gemm.Rows2>(x, rowStride, xoff, woff, taps, lanes, w, blockStride, blocks, store); break;
            case 3: Tile<Gemm.Rows3>(x, rowStride, xoff, woff, taps, lanes, w, blockStride, blocks, store); break;
            case 4: Tile<Gemm.Rows4>(x, rowStride, xoff, woff, taps, lanes, w, blockStride, blocks, store); break;
            case 5: Tile<Gemm.Rows5>(x, rowStride, xoff, woff, taps, lanes, w, blockStride, blocks, store); break;
            default: Tile<Gemm.Rows6>(x, rowStride, xoff, woff, taps, lanes, w, blockStride, blocks, store); break;
        }
    }

    /// <summary>
    /// One tile: for outputs p &lt; O.Count (input window of output p at x + p·<paramref name="rowStride"/>) and
    /// filter blocks j &lt; <paramref name="blocks"/> (packed W of block j at w + j·<paramref name="blockStride"/>), the sums over
    /// the taps t &lt; <paramref name="taps"/> and lanes l &lt; <paramref name="lanes"/> of
    /// x[p·rowStride + xoff[t] + l] · w[j·blockStride + woff[t] + 16·l + (0..15)], handed to <paramref name="store"/>.
    /// Blocks past <paramref name="blocks"/> read block 0's filters (their sums are dropped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile<O>(float* x, nint rowStride, int* xoff, int* woff, int taps, int lanes, float* w, nint blockStride,
        int blocks, in TileStore store) where O : struct, Gemm.ITileRows
    {
        var a00 = Vector512<float>.Zero; var a01 = a00; var a02 = a00; var a03 = a00;
        var a10 = a00; var a11 = a00; var a12 = a00; var a13 = a00;
        var a20 = a00; var a21 = a00; var a22 = a00; var a23 = a00;
        var a30 = a00; var a31 = a00; var a32 = a00; var a33 = a00;
        var a40 = a00; var a41 = a00; var a42 = a00; var a43 = a00;
        var a50 = a00; var a51 = a00; var a52 = a00; var a53 = a00;
        nint r1 = rowStride, r2 = 2 * rowStride, r3 = 3 * rowStride, r4 = 4 * rowStride, r5 = 5 * rowStride;
        nint s1 = blocks > 1 ? blockStride : 0, s2 = blocks > 2 ? 2 * blockStride : 0, s3 = blocks > 3 ? 3 * blockStride : 0;
        for (int t = 0; t < taps; t++)
        {
            float* xa = x + xoff[t];
            float* wa = w + woff[t];
            for (int l = 0; l < lanes; l++)
            {
                var w0 = Vector512.Load(wa); var w1 = Vector512.Load(wa + s1);
                var w2 = Vector512.Load(wa + s2); var w3 = Vector512.Load(wa + s3);
                var b = Vector512.Create(xa[0]);
                a00 = Vector512.FusedMultiplyAdd(b, w0, a00); a01 = Vector512.FusedMultiplyAdd(b, w1, a01);
                a02 = Vector512.FusedMultiplyAdd(b, w2, a02); a03 = Vector512.FusedMultiplyAdd(b, w3, a03);
                if (O.Count > 1)
                {
                    b = Vector512.Create(xa[r1]);
                    a10 = Vector512.FusedMultiplyAdd(b, w0, a10); a11 = Vector512.FusedMultiplyAdd(b, w1, a11);
                    a12 = Vector512.FusedMultiplyAdd(b, w2, a12); a13 = Vector512.FusedMultiplyAdd(b, w3, a13);
                }
                if (O.Count > 2)
                {
                    b = Vector512.Create(xa[r2]);
                    a20 = Vector512.FusedMultiplyAdd(b, w0, a20); a21 = Vector512.FusedMultiplyAdd(b, w1, a21);
                    a22 = Vector512.FusedMultiplyAdd(b, w2, a22); a23 = Vector512.FusedMultiplyAdd(b, w3, a23);
                }
                if (O.Count > 3)
                {
                    b = Vector512.Create(xa[r3]);
                    a30 = Vector512.FusedMultiplyAdd(b, w0, a30); a31 = Vector512.FusedMultiplyAdd(b, w1, a31);
                    a32 = Vector512.FusedMultiplyAdd(b, w2, a32); a33 = Vector512.FusedMultiplyAdd(b, w3, a33);
                }
                if (O.Count > 4)
                {
                    b = Vector512.Create(xa[r4]);
                    a40 = Vector512.FusedMultiplyAdd(b, w0, a40); a41 = Vector512.FusedMultiplyAdd(b, w1, a41);
                    a42 = Vector512.FusedMultiplyAdd(b, w2, a42); a43 = Vector512.FusedMultiplyAdd(b, w3, a43);
                }
                if (O.Count > 5)
                {
                    b = Vector512.Create(xa[r5]);
                    a50 = Vector512.FusedMultiplyAdd(b, w0, a50); a51 = Vector512.FusedMultiplyAdd(b, w1, a51);
                    a52 = Vector512.FusedMultiplyAdd(b, w2, a52); a53 = Vector512.FusedMultiplyAdd(b, w3, a53);
                }
                xa++;
                wa += Block;
            }
        }
        store.Output(0, blocks, a00, a01, a02, a03);
        if (O.Count > 1) store.Output(1, blocks, a10, a11, a12, a13);
        if (O.Count > 2) store.Output(2, blocks, a20, a21, a22, a23);
        if (O.Count > 3) store.Output(3, blocks, a30, a31, a32, a33);
        if (O.Count > 4) store.Output(4, blocks, a40, a41, a42, a43);
        if (O.Count > 5) store.Output(5, blocks, a50, a51, a52, a53);
    }

    /// <summary>
    /// Where a tile's sums go: output p, block j at y + p·16 + j·<paramref name="blockStride"/> (the blocked layout), added
    /// to what is there when <paramref name="accumulate"/> (an earlier slice of input channels); on the last slice
    /// (<paramref name="final"/>) then + bias[16j..] (null: none), + the residual at the same offsets (null: none), then
    /// max(0, ·) when <paramref name="relu"/> — the Conv, Add and Relu nodes' additions in their order.
    /// </summary>
    internal readonly unsafe struct TileStore(float* y, nint blockStride, bool accumulate, bool final, float* bias, float* residual, bool relu)
    {
        /// <summary>The same store for the tile starting at output column o.</summary>
        public TileStore At(int o) => new(y + o * Block, blockStride, accumulate, final, bias, residual is null ? null : residual + o * Block, relu);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Output(int p, int blocks, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
        {
            Put(p, 0, v0);
            if (blocks > 1) Put(p, 1, v1);
            if (blocks > 2) Put(p, 2, v2);
            if (blocks > 3) Put(p, 3, v3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Put(int p, int j, Vector512<float> v)
        {
            nint at = p * Block + j * blockStride;
            if (accumulate) v += Vector512.Load(y + at);
            if (final)
            {
                if (bias is not null) v += Vector512.Load(bias + j * Block);
                if (residual is not null) v += Vector512.Load(residual + at);
                if (relu) v = Relu(v);
            }
            v.Store(y + at);
        }
    }

    /// <summary>0 where v ≤ 0, else v (NaN stays NaN, as the Relu op).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Relu(Vector512<float> v) =>
        Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, Vector512<float>.Zero), Vector512<float>.Zero, v);
}
