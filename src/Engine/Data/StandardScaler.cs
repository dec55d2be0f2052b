namespace Engine.Data;

/// <summary>
/// Standardises columns like sklearn's StandardScaler: <see cref="Fit"/> learns each column's mean and
/// standard deviation (population, ddof 0) from [N, F] data; <see cref="Transform"/> gives (x − mean) / std.
/// A constant column gets scale 1 (as in sklearn), so it maps to 0 instead of NaN.
/// </summary>
public sealed class StandardScaler
{
    /// <summary>Per-column means [F] (sklearn's mean_); null before <see cref="Fit"/>.</summary>
    public Tensor? Mean { get; private set; }

    /// <summary>Per-column standard deviations [F] (sklearn's scale_); null before <see cref="Fit"/>.</summary>
    public Tensor? Scale { get; private set; }

    /// <summary>Learns the column means and standard deviations of <paramref name="x"/> [N, F] (N ≥ 1); returns this scaler.</summary>
    public StandardScaler Fit(Tensor x)
    {
        x.CheckAlive("StandardScaler.Fit");
        if (x.Rank != 2 || x.Dim(0) == 0 || !x.DType.IsFloat())
            throw new ArgumentException($"StandardScaler.Fit: expected float data [N ≥ 1, F], got {x.DType.Name()} {Tensor.ShapeString(x.Shape)}.");
        int n = x.Dim(0), f = x.Dim(1);
        var data = x.ToDoubleArray();
        var mean = new double[f];
        var scale = new double[f];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) mean[j] += data[i * f + j];
        for (int j = 0; j < f; j++) mean[j] /= n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) { double d = data[i * f + j] - mean[j]; scale[j] += d * d; }
        for (int j = 0; j < f; j++)
        {
            scale[j] = Math.Sqrt(scale[j] / n);
            if (scale[j] == 0) scale[j] = 1;
        }
        Mean?.Dispose();
        Scale?.Dispose();
        Mean = Tensor.FromDoubles(mean, [f], x.DType, x.Device);
        Scale = Tensor.FromDoubles(scale, [f], x.DType, x.Device);
        Mean.Persistent = Scale.Persistent = true;
        return this;
    }

    /// <summary>(x − mean) / std for <paramref name="x"/> [N, F] with the statistics of <see cref="Fit"/>.</summary>
    public Tensor Transform(Tensor x)
    {
        var (mean, scale) = Fitted("Transform", x);
        return (x - mean) / scale;
    }

    /// <summary>Fit then Transform on the same data.</summary>
    public Tensor FitTransform(Tensor x) => Fit(x).Transform(x);

    /// <summary>x · std + mean: undoes <see cref="Transform"/>.</summary>
    public Tensor InverseTransform(Tensor x)
    {
        var (mean, scale) = Fitted("InverseTransform", x);
        return x * scale + mean;
    }

    private (Tensor Mean, Tensor Scale) Fitted(string op, Tensor x)
    {
        x.CheckAlive($"StandardScaler.{op}");
        if (Mean is null || Scale is null)
            throw new InvalidOperationException($"StandardScaler.{op}: call Fit first.");
        if (x.Rank != 2 || x.Dim(1) != Mean.Dim(0))
            throw new ArgumentException($"StandardScaler.{op}: expected [N, {Mean.Dim(0)}] (the width seen by Fit), got {Tensor.ShapeString(x.Shape)}.");
        if (x.DType != Mean.DType || x.Device != Mean.Device)
            throw new ArgumentException($"StandardScaler.{op}: fitted on {Mean.DType.Name()} on {Mean.Device}, got {x.DType.Name()} on {x.Device}.");
        return (Mean, Scale);
    }
}
