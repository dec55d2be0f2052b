namespace Engine;

/// <summary>
/// The window geometry of one image for <see cref="Gemm.PackWindows{T}"/>: C channels of H×W, a KH×KW
/// window, one stride and one zero padding for both axes, OH×OW output positions.
/// </summary>
internal readonly record struct ImageWindows(int C, int H, int W, int KH, int KW, int Stride, int Pad, int OH, int OW);
