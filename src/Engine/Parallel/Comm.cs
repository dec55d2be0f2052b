namespace Engine.Parallelism;

/// <summary>
/// torch.nn.parallel.comm for DataParallel: split a batch into chunks on devices (scatter) and join
/// the replicas' outputs on one device (gather). Both are differentiable: the gradient of a gather
/// is split back to the replicas, the gradient of a scatter is joined back on the input's device.
/// </summary>
public static class Comm
{
    /// <summary>
    /// Splits <paramref name="input"/> along dim 0 into chunks of ⌈B/n⌉ rows (torch.chunk; the last may
    /// be smaller, and there are fewer than n chunks when B is small), chunk i moved to devices[i].
    /// </summary>
    public static IReadOnlyList<Tensor> Scatter(Tensor input, IReadOnlyList<Device> devices)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (devices.Count == 0) throw new ArgumentException("Scatter: at least one device is needed.");
        if (input.Rank == 0) throw new ArgumentException("Scatter: a batch needs a leading dimension; got a scalar.");
        int b = input.Dim(0);
        if (b == 0) throw new ArgumentException("Scatter: the batch is empty.");
        int size = (b + devices.Count - 1) / devices.Count;
        var chunks = new List<Tensor>();
        for (int i = 0, start = 0; start < b; i++, start += size)
        {
            int n = Math.Min(size, b - start);
            var rows = input.Rows(start, n);
            chunks.Add(rows.To(devices[i]));
        }
        return chunks;
    }

    /// <summary>Concatenates <paramref name="outputs"/> along dim 0 on <paramref name="device"/> (torch.cat after moving).</summary>
    public static Tensor Gather(IReadOnlyList<Tensor> outputs, Device device)
    {
        if (outputs.Count == 0) throw new ArgumentException("Gather: nothing to gather.");
        var first = outputs[0];
        if (first.Rank == 0) throw new ArgumentException("Gather: outputs need a leading batch dimension; got a scalar.");
        var rest = first.Shape[1..];
        int total = 0;
        foreach (var o in outputs)
        {
            if (o.Rank != first.Rank || !o.Shape.AsSpan(1).SequenceEqual(rest) || o.DType != first.DType)
                throw new ArgumentException($"Gather: every output must be [*, {string.Join(", ", rest)}] {first.DType.Name()}; got {Tensor.ShapeString(o.Shape)} {o.DType.Name()}.");
            total += o.Dim(0);
        }
        var moved = outputs.Select(o => o.To(device)).ToArray();
        var y = Tensor.Zeros([total, .. rest], first.DType, device);
        var starts = new int[moved.Length];
        for (int i = 0, start = 0; i < moved.Length; start += moved[i].Dim(0), i++)
        {
            starts[i] = start;
            using var index = Tensor.FromArray(Enumerable.Range(start, moved[i].Dim(0)).ToArray(), null, device);
            device.Backend.IndexAdd(moved[i], index, y);
        }
        return Autograd.Record(y, "Gather", moved, g => moved.Select((m, i) => (Tensor?)g.Rows(starts[i], m.Dim(0))).ToArray());
    }
}
