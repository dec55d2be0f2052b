using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine;

/// <summary>
/// The blocked image layout of CPU inference ("NCHWc", c = 16): an image [N, C, H, W] with C a multiple of 16 is
/// stored as [N, C/16, H, W, 16], the 16 channels of a block side by side for each position, so that one AVX-512
/// vector holds one position's 16 channels. The conv (<see cref="Conv"/>) takes its filters 16 at a time as vectors
/// (W reordered once, <see cref="PackedConv"/>) and broadcasts image values: no im2col, no output transpose. ONNX
/// Runtime runs its CPU convs the same way. Blocked tensors are ordinary rank-5 float32 tensors; <see cref="IsBlocked"/>
/// tells them from other rank-5 tensors, and <see cref="Unblock"/> gives back NCHW.
/// </summary>
internal static partial class Nchwc
{
    /// <summary>Channels per block: one Vector512 of float.</summary>
    internal const int Block = 16;

    /// <summary>Whether the blocked kernels run natively here (AVX-512).</summary>
    internal static bool Available => Vector512.IsHardwareAccelerated && Fma.IsSupported;

    private static readonly ConditionalWeakTable<Tensor, object> Blocked = new();

    /// <summary>True for a tensor made by this class's blocked operations (or marked by <see cref="MarkBlocked"/>).</summary>
    internal static bool IsBlocked(Tensor t) => Blocked.TryGetValue(t, out _);

    /// <summary>Marks <paramref name="t"/> (rank 5, [N, C/16, H, W, 16]) as a blocked image: the result of an elementwise op on blocked inputs.</summary>
    internal static Tensor MarkBlocked(Tensor t)
    {
        if (t.Rank != 5 || t.Dim(4) != Block) throw new ArgumentException($"Nchwc: a blocked image is [N, C/16, H, W, 16], got {Tensor.ShapeString(t.Shape)}.");
        Blocked.AddOrUpdate(t, Block);
        return t;
    }

    /// <summary>A new blocked tensor [n, c/16, h, w, 16], marked, contents undefined.</summary>
    internal static Tensor Empty(int n, int c, int h, int w, Device device) =>
        MarkBlocked(Tensor.Empty([n, c / Block, h, w, Block], DType.Float32, device));

    /// <summary>The elements of a float32 CPU tensor.</summary>
    internal static float[] Floats(Tensor t) => (float[])((CpuStorage)t.Storage).Data;

    /// <summary>The NCHW shape a blocked tensor stands for.</summary>
    internal static int[] LogicalShape(Tensor t) => [t.Dim(0), t.Dim(1) * Block, t.Dim(2), t.Dim(3)];

    /// <summary>NCHW [N, C, H, W] (C a multiple of 16, float32, CPU) → blocked [N, C/16, H, W, 16].</summary>
    internal static Tensor ToBlocked(Tensor x)
    {
        if (x.Rank != 4 || x.Dim(1) % Block != 0 || x.DType != DType.Float32)
            throw new ArgumentException($"Nchwc.ToBlocked: expected a float32 [N, C, H, W] image with C a multiple of {Block}, got {x.DType.Name()} {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0), c = x.Dim(1), plane = x.Dim(2) * x.Dim(3);
        var y = Empty(n, c, x.Dim(2), x.Dim(3), x.Device);
        float[] src = Floats(x), dst = Floats(y);
        WorkerPool.For(n * (c / Block), nb =>
        {
            long at = (long)nb * Block * plane;
            for (int i = 0; i < plane; i++)
                for (int l = 0; l < Block; l++) dst[at + (long)i * Block + l] = src[at + (long)l * plane + i];
        });
        return y;
    }

    /// <summary>Blocked [N, C/16, H, W, 16] → NCHW [N, C, H, W].</summary>
    internal static Tensor Unblock(Tensor x)
    {
        if (!IsBlocked(x)) throw new ArgumentException($"Nchwc.Unblock: {Tensor.ShapeString(x.Shape)} is not a blocked image.");
        int n = x.Dim(0), cb = x.Dim(1), plane = x.Dim(2) * x.Dim(3);
        var y = Tensor.Empty(LogicalShape(x), DType.Float32, x.Device);
        float[] src = Floats(x), dst = Floats(y);
        WorkerPool.For(n * cb, nb =>
        {
            long at = (long)nb * Block * plane;
            for (int l = 0; l < Block; l++)
                for (int i = 0; i < plane; i++) dst[at + (long)l * plane + i] = src[at + (long)i * Block + l];
        });
        return y;
    }

    /// <summary>
    /// A conv's filters W [F, C, KH, KW] (F a multiple of 16) and bias reordered once for <see cref="Conv"/>: for each
    /// block of 16 filters, each tap and each input lane, the 16 filters' weights as one vector. With a blocked input
    /// (C a multiple of 16) a tap is (input block, kh, kw) with 16 lanes; with an NCHW
    /// input a tap is (channel, kh, kw) with one lane. Element [fb][tap][lane][f % 16].
    /// </summary>
    internal sealed unsafe class PackedConv
    {
        public readonly int Filters, Channels, KH, KW, Lanes;
        public readonly bool BlockedInput;
        private readonly float[] _w, _bias;
        private readonly int _wAt, _biasAt;

        public PackedConv(Tensor w, Tensor? bias, bool blockedInput)
        {
            Filters = w.Dim(0); Channels = w.Dim(1); KH = w.Dim(2); KW = w.Dim(3);
            BlockedInput = blockedInput;
            Lanes = blockedInput ? Block : 1;
            if (Filters % Block != 0 || (blockedInput && Channels % Block != 0))
                throw new ArgumentException($"Nchwc.PackedConv: W {Tensor.ShapeString(w.Shape)} needs filters{(blockedInput ? " and channels" : "")} in multiples of {Block}.");
            var src = w.ToArray<float>();
            int taps = Channels / Lanes * KH * KW;
            (_w, _wAt) = Aligned((long)Filters * Channels * KH * KW);
            for (int f = 0; f < Filters; f++)
                for (int c = 0; c < Channels; c++)
                    for (int kh = 0; kh < KH; kh++)
                        for (int kw = 0; kw < KW; kw++)
                        {
                            int tap = ((c / Lanes) * KH + kh) * KW + kw, lane = c % Lanes;
                            long at = (((long)(f / Block) * taps + tap) * Lanes + lane) * Block + f % Block;
                            _w[_wAt + at] = src[((long)(f * Channels + c) * KH + kh) * KW + kw];
                        }
            (_bias, _biasAt) = Aligned(Filters);
            bias?.ToArray<float>().CopyTo(_bias, _biasAt);
        }

        /// <summary>Taps per filter block: (C / lanes) · KH · KW.</summary>
        public int Taps => Channels / Lanes * KH * KW;

        /// <summary>Floats per filter block: taps · lanes · 16.</summary>
        public nint BlockStride => (nint)Taps * Lanes * Block;

        /// <summary>The packed weights (pinned, 64-byte aligned).</summary>
        public float* W => (float*)Unsafe.AsPointer(ref _w[_wAt]);

        /// <summary>The bias, zeros when the conv has none.</summary>
        public float* Bias => (float*)Unsafe.AsPointer(ref _bias[_biasAt]);

        private static (float[] Array, int At) Aligned(long count)
        {
            var a = GC.AllocateArray<float>(checked((int)count + Block), pinned: true);
            int at = (int)((64 - ((nint)Unsafe.AsPointer(ref a[0]) & 63)) & 63) / sizeof(float);
            return (a, at);
        }
    }
}
