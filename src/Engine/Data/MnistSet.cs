namespace Engine.Data;

/// <summary>
/// One split of MNIST (training or test): <see cref="Images"/> and <see cref="Labels"/> with the same
/// first dimension, plus the batch helpers the book's training loops use.
/// </summary>
public sealed class MnistSet : IDisposable
{
    /// <summary>Pairs images [N, …] with labels [N] or [N, 10].</summary>
    public MnistSet(Tensor images, Tensor labels)
    {
        if (images.Rank == 0 || labels.Rank == 0 || images.Dim(0) != labels.Dim(0))
            throw new ArgumentException(
                $"MnistSet: images and labels need the same first dimension; got images {Tensor.ShapeString(images.Shape)} and labels {Tensor.ShapeString(labels.Shape)}.");
        Images = images;
        Labels = labels;
    }

    /// <summary>Images: [N, 784] when flattened, else [N, 1, 28, 28]; in [0, 1] when normalised, else 0..255.</summary>
    public Tensor Images { get; }

    /// <summary>Labels: Int32 [N] (digits), or one-hot [N, 10] of the images' dtype.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of samples N.</summary>
    public int Count => Images.Dim(0);

    /// <summary>The samples at <paramref name="indices"/>: (x, t) = (Images[indices], Labels[indices]), copies.</summary>
    public (Tensor X, Tensor T) Batch(int[] indices)
    {
        using var idx = Tensor.FromArray(indices, null, Images.Device);
        return (Images.IndexSelect(idx), Labels.IndexSelect(idx));
    }

    /// <summary>
    /// A random mini-batch of <paramref name="batchSize"/> samples drawn with replacement
    /// (DLfS: <c>np.random.choice(train_size, batch_size)</c>), from <paramref name="generator"/> or the default one.
    /// </summary>
    public (Tensor X, Tensor T) SampleBatch(int batchSize, Generator? generator = null)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"SampleBatch: batch size must be positive, got {batchSize}.");
        return Batch((generator ?? Generator.Default).Choice(Count, batchSize));
    }

    /// <summary>The first <paramref name="n"/> samples (for quick runs); n larger than <see cref="Count"/> keeps them all.</summary>
    public MnistSet Take(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"Take: n must be ≥ 0, got {n}.");
        int m = Math.Min(n, Count);
        var (x, t) = Batch(Enumerable.Range(0, m).ToArray());
        x.Persistent = t.Persistent = true;
        return new MnistSet(x, t);
    }

    /// <summary>This set with its tensors on <paramref name="device"/> (itself when already there).</summary>
    public MnistSet To(Device device)
    {
        if (Images.Device == device && Labels.Device == device) return this;
        var x = Images.To(device, copy: true);
        var t = Labels.To(device, copy: true);
        x.Persistent = t.Persistent = true;
        return new MnistSet(x, t);
    }

    /// <summary>The images and labels as a <see cref="TensorDataset"/> (shares the tensors) for a <see cref="DataLoader"/>.</summary>
    public TensorDataset ToDataset() => new(Images, Labels);

    /// <summary>Frees the images and labels.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
