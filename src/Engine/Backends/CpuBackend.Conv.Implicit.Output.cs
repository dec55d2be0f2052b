using System.Numerics;

namespace Engine;

// The implicit conv's output pass: each output row of the GEMM gets the folded bias, then (for an inference
// Conv → Add → Relu, as ONNX Runtime fuses it) the residual, then max(0, ·): one pass over the activations where
// the separate Add and Relu ops would make two more. The additions are the ones those ops make, in their order,
// so the bits are the same.
public sealed partial class CpuBackend
{
    /// <summary>
    /// What the implicit conv's output pass applies to y [N, F, OH, OW]: bias [F] or null, residual [N, F, OH, OW] (same
    /// layout as y, never y itself) or null, and max(0, ·) when <paramref name="Relu"/> (0 where the sum is ≤ 0, NaN
    /// stays NaN, as the Relu op).
    /// </summary>
    private readonly record struct ImplicitOutput<T>(T[]? Bias, T[]? Residual, bool Relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Whether the pass changes the GEMM's sums at all.</summary>
        public bool Changes => Bias is not null || Residual is not null || Relu;

        /// <summary>
        /// to[p] = from[p] (+ bias[channel]) (+ residual[at + p]), then max(0, ·) with Relu, for p &lt; from.Length
        /// (from may be to): output channel <paramref name="channel"/>, positions starting at element
        /// <paramref name="at"/> of y. A vector at a time; the same additions and comparison per element as the scalar loop.
        /// </summary>
        public void Row(ReadOnlySpan<T> from, Span<T> to, int channel, long at)
        {
            bool bias = Bias is not null, residual = Residual is not null;
            if (!bias && !residual && !Relu)
            {
                from.CopyTo(to);
                return;
            }
            T b = bias ? Bias![channel] : T.Zero;
            ReadOnlySpan<T> res = residual ? Residual.AsSpan(checked((int)at), from.Length) : default;
            int p = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var bv = new Vector<T>(b);
                for (; p + Vector<T>.Count <= from.Length; p += Vector<T>.Count)
                {
                    var v = new Vector<T>(from[p..]);
                    if (bias) v += bv;
                    if (residual) v += new Vector<T>(res[p..]);
                    if (Relu) v = ReluFn<T>.Vector(v);
                    v.CopyTo(to[p..]);
                }
            }
            for (; p < from.Length; p++)
            {
                T s = from[p];
                if (bias) s += b;
                if (residual) s += res[p];
                to[p] = Relu ? ReluFn<T>.Scalar(s) : s;
            }
        }
    }
}
