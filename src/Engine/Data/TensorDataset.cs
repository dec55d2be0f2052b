namespace Engine.Data;

/// <summary>
/// Inputs and targets that share their first dimension, sample i being (X[i], Y[i]); like
/// torch.utils.data.TensorDataset. The tensors are shared, not copied.
/// </summary>
public sealed class TensorDataset
{
    /// <summary>Pairs <paramref name="x"/> [N, …] with <paramref name="y"/> [N, …] (same N, same device).</summary>
    public TensorDataset(Tensor x, Tensor y)
    {
        x.CheckAlive("TensorDataset");
        y.CheckAlive("TensorDataset");
        if (x.Rank == 0 || y.Rank == 0 || x.Dim(0) != y.Dim(0))
            throw new ArgumentException(
                $"TensorDataset: x and y need the same first dimension; got x {Tensor.ShapeString(x.Shape)} and y {Tensor.ShapeString(y.Shape)}.");
        if (x.Device != y.Device)
            throw new ArgumentException($"TensorDataset: x is on {x.Device} but y is on {y.Device}; put both on one device.");
        X = x;
        Y = y;
    }

    /// <summary>Inputs [N, …].</summary>
    public Tensor X { get; }

    /// <summary>Targets [N, …].</summary>
    public Tensor Y { get; }

    /// <summary>Number of samples N.</summary>
    public int Count => X.Dim(0);

    /// <summary>The samples at <paramref name="indices"/> (copies): (X[indices], Y[indices]).</summary>
    public (Tensor X, Tensor Y) Get(int[] indices)
    {
        using var idx = Tensor.FromArray(indices, null, X.Device);
        return (X.IndexSelect(idx), Y.IndexSelect(idx));
    }
}
