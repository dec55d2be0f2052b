using Engine.Functional;

namespace Engine.Layers;

/// <summary>keras.layers.AveragePooling2D: the mean of each window (channels-last).</summary>
public sealed class AveragePooling2D(IntPair? poolSize = null, IntPair? strides = null, string padding = "valid", int[]? inputShape = null, string? name = null)
    : Pooling2D(poolSize, strides, padding, inputShape, name)
{
    /// <inheritdoc/>
    public override string ClassName => "AveragePooling2D";

    /// <inheritdoc/>
    public override string NamePrefix => "average_pooling2d";

    /// <summary>
    /// The mean over the input cells of each window, as Keras's "same": the window sum of the zero-padded input
    /// (F.AvgPool2d gives sum/(ph·pw)) times ph·pw/count, count [OH, OW] the input cells the window covers.
    /// </summary>
    protected override Tensor Pool(Tensor x, int top, int bottom, int left, int right)
    {
        var k = (PoolSize.H, PoolSize.W);
        var s = (Strides.H, Strides.W);
        if (top + bottom + left + right == 0) return F.AvgPool2d(x, k, s);
        int h = x.Dim(2), w = x.Dim(3);
        var mean = F.AvgPool2d(F.Pad2d(x, top, bottom, left, right), k, s);
        int oh = mean.Dim(2), ow = mean.Dim(3);
        var scale = new double[oh * ow];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
                scale[i * ow + j] = (double)(PoolSize.H * PoolSize.W) / (Covered(i * Strides.H - top, PoolSize.H, h) * Covered(j * Strides.W - left, PoolSize.W, w));
        var scaleT = Tensor.FromDoubles(scale, [oh, ow], x.DType, x.Device);
        return mean * scaleT;
    }

    /// <summary>Input cells of [start, start + k) inside [0, n).</summary>
    private static int Covered(int start, int k, int n) => Math.Min(start + k, n) - Math.Max(start, 0);
}
