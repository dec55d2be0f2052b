using System.Collections;

namespace Engine.Data;

/// <summary>
/// Mini-batches over a <see cref="TensorDataset"/>, like torch.utils.data.DataLoader: batch size,
/// shuffling (a new order drawn from the generator at the start of every epoch, i.e. every
/// enumeration), drop-last, and pinned host memory for the batches. Enumerating yields
/// (X [B, …], Y [B, …]) copies; dispose them (or enumerate inside <see cref="Tensor.Scope"/>) when done.
/// </summary>
public sealed class DataLoader : IEnumerable<(Tensor X, Tensor Y)>
{
    private readonly Generator _generator;

    /// <summary>A loader over <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch (the last one may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="shuffle">Visit the samples in a new random order every epoch.</param>
    /// <param name="generator">Source of the shuffles; default a generator seeded with <paramref name="seed"/>.</param>
    /// <param name="seed">Seed of the shuffling generator when none is passed.</param>
    /// <param name="dropLast">Leave out the last incomplete batch.</param>
    /// <param name="pinMemory">Return batches in pinned host memory (<see cref="Tensor.ZerosPinned"/>: page-locked by the CUDA driver when a GPU is present, so .To(cuda) is a DMA copy); CPU datasets only.</param>
    public DataLoader(TensorDataset dataset, int batchSize = 1, bool shuffle = false, Generator? generator = null,
        ulong seed = 0, bool dropLast = false, bool pinMemory = false)
    {
        if (batchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"DataLoader: batch size must be positive, got {batchSize}.");
        if (pinMemory && dataset.X.Device.Type != DeviceType.Cpu)
            throw new ArgumentException($"DataLoader: pinMemory needs a dataset in host memory, but it is on {dataset.X.Device}.", nameof(pinMemory));
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        PinMemory = pinMemory;
        _generator = generator ?? new Generator(seed);
    }

    /// <summary>The samples.</summary>
    public TensorDataset Dataset { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>True when every epoch visits the samples in a new random order.</summary>
    public bool Shuffle { get; }

    /// <summary>True when the last incomplete batch is left out.</summary>
    public bool DropLast { get; }

    /// <summary>True when batches live in pinned host memory.</summary>
    public bool PinMemory { get; }

    /// <summary>Batches per epoch: ⌊N/B⌋ with drop-last, else ⌈N/B⌉ (len(loader)).</summary>
    public int Count => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>The sample indices of one epoch, batch by batch (draws a new shuffle when <see cref="Shuffle"/>).</summary>
    public IEnumerable<int[]> BatchIndices()
    {
        int n = Dataset.Count;
        int[] order = Shuffle ? _generator.Permutation(n) : Enumerable.Range(0, n).ToArray();
        int batches = Count;
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize, size = Math.Min(BatchSize, n - start);
            yield return order.AsSpan(start, size).ToArray();
        }
    }

    /// <summary>One epoch of (X, Y) batches.</summary>
    public IEnumerator<(Tensor X, Tensor Y)> GetEnumerator()
    {
        foreach (var indices in BatchIndices())
        {
            if (!PinMemory)
            {
                yield return Dataset.Get(indices);
                continue;
            }
            using var idx = Tensor.FromArray(indices);
            yield return (Pinned(Dataset.X, idx), Pinned(Dataset.Y, idx));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // rows of x picked by idx, gathered straight into a pinned host tensor
    private static Tensor Pinned(Tensor x, Tensor idx)
    {
        var shape = x.Shape;
        shape[0] = idx.Dim(0);
        var y = Tensor.ZerosPinned(shape, x.DType);
        x.Backend.IndexSelect(x, idx, y);
        return y;
    }
}
