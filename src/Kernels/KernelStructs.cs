using System.Runtime.InteropServices;

namespace Engine.Kernels;

/// <summary>kernels.cu's struct Broadcast: how a and b are read at y's index (rank 0 = equal sizes, flat).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BroadcastArgs
{
    internal const int MaxRank = 8;
    public long Rank;
    public fixed long Shape[MaxRank];
    public fixed long Sa[MaxRank];
    public fixed long Sb[MaxRank];
}

/// <summary>kernels.cu's struct Permutation: y's shape and the x stride walked along each y axis.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct PermutationArgs
{
    public long Rank;
    public fixed long Shape[BroadcastArgs.MaxRank];
    public fixed long Step[BroadcastArgs.MaxRank];
}

/// <summary>kernels.cu's struct Conv: input [N, C, H, W], window, stride, pad and output OH×OW.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ConvArgs
{
    public int N, C, H, W, KH, KW, Stride, Pad, OH, OW;

    public override readonly string ToString() => $"x [{N}, {C}, {H}, {W}], window {KH}×{KW}, stride {Stride}, pad {Pad} → {OH}×{OW}";
}
