namespace Engine;

public sealed partial class Tensor
{
    /// <summary>The same data with a new shape (one dimension may be −1); shares storage.</summary>
    public Tensor Reshape(params int[] shape)
    {
        CheckAlive("Reshape");
        var s = (int[])shape.Clone();
        int infer = Array.IndexOf(s, -1);
        if (infer >= 0)
        {
            if (Array.IndexOf(s, -1, infer + 1) >= 0)
                throw new ArgumentException($"Reshape: only one dimension can be inferred (−1), got {ShapeString(shape)}.");
            s[infer] = 1;
            long known = CheckedSize("Reshape", s);
            if (known == 0 || Size % known != 0)
                throw new ArgumentException($"Reshape: cannot view shape {ShapeString(_shape)} ({Size} elements) as {ShapeString(shape)}.");
            s[infer] = (int)(Size / known);
        }
        long size = CheckedSize("Reshape", s);
        if (size != Size)
            throw new ArgumentException($"Reshape: cannot view shape {ShapeString(_shape)} ({Size} elements) as {ShapeString(shape)} ({size} elements).");
        Storage.Retain();
        var y = new Tensor(Storage, s);
        var original = _shape;
        return Autograd.Record(y, "Reshape", [this], g => [g.Reshape(original)]);
    }

    /// <summary>Same as Reshape (PyTorch's view on a contiguous tensor).</summary>
    public Tensor View(params int[] shape) => Reshape(shape);

    /// <summary>
    /// Dimensions startDim…last merged into one (torch.flatten(x, start_dim)): [N, C, H, W].Flatten(1) → [N, C·H·W].
    /// startDim may count from the end (−1 leaves the shape as it is); a scalar becomes [1].
    /// </summary>
    public Tensor Flatten(int startDim = 1)
    {
        CheckAlive("Flatten");
        int start = NormalizeAxis(startDim, Rank, "Flatten");
        if (Rank == 0) return Reshape(1);
        return Reshape(_shape[..start].Append((int)CheckedSize("Flatten", _shape.AsSpan(start))).ToArray());
    }

    /// <summary>Axes reordered: result.Shape[i] = Shape[perm[i]] (a copy).</summary>
    public Tensor Permute(params int[] perm)
    {
        CheckAlive("Permute");
        if (perm.Length != Rank || perm.Order().Where((p, i) => p != i).Any())
            throw new ArgumentException($"Permute: {ShapeString(perm)} is not a permutation of the {Rank} axes of shape {ShapeString(_shape)}.");
        var shape = perm.Select(p => _shape[p]).ToArray();
        var y = new Tensor(Backend.Allocate(DType, Size), shape);
        Backend.Permute(this, perm, y);
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return Autograd.Record(y, "Permute", [this], g => [g.Permute(inverse)]);
    }

    /// <summary>Matrix transpose of a 2-D tensor (a copy).</summary>
    public Tensor T
    {
        get
        {
            CheckRank("T", 2);
            return Permute(1, 0);
        }
    }

    /// <summary>Swaps two axes (a copy).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        CheckAlive("Transpose");
        if (Rank == 0)
        {
            NormalizeAxis(dim0, Rank, "Transpose");
            NormalizeAxis(dim1, Rank, "Transpose");
            return Reshape([]);
        }
        var perm = Enumerable.Range(0, Rank).ToArray();
        int a = NormalizeAxis(dim0, Rank, "Transpose"), b = NormalizeAxis(dim1, Rank, "Transpose");
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>Rows picked by index along axis 0: y[i] = x[index[i]] (index: Int32 tensor or array).</summary>
    public Tensor IndexSelect(Tensor index)
    {
        CheckAlive("IndexSelect");
        index.CheckAlive("IndexSelect");
        if (index.DType != DType.Int32 || index.Rank != 1)
            throw new ArgumentException($"IndexSelect: expected a 1-D int32 index, got {index.DType.Name()} with shape {ShapeString(index._shape)}.");
        if (Rank == 0) throw new ArgumentException("IndexSelect: cannot pick rows of a scalar.");
        if (index.Device != Device) throw new InvalidOperationException($"IndexSelect: the index is on {index.Device} but the tensor is on {Device}.");
        int rows = _shape[0];
        if (index.Device.Type == DeviceType.Cpu)
            foreach (int i in index.Span<int>())
                if ((uint)i >= (uint)rows) throw new IndexOutOfRangeException($"IndexSelect: index {i} is out of range for {rows} rows (shape {ShapeString(_shape)}).");
        var shape = (int[])_shape.Clone();
        shape[0] = index._shape[0];
        var y = new Tensor(Backend.Allocate(DType, CheckedSize("IndexSelect", shape)), shape);
        Backend.IndexSelect(this, index, y);
        return Autograd.Record(y, "IndexSelect", [this], g =>
        {
            var dx = ZerosLike(this);
            Backend.IndexAdd(g, index, dx);
            return [dx];
        });
    }

    /// <summary>Rows picked by index along axis 0.</summary>
    public Tensor IndexSelect(int[] index)
    {
        CheckAlive("IndexSelect");
        // Not disposed here: the backward (IndexAdd) reads it; an enclosing Scope frees it.
        var idx = FromArray(index, null, Device);
        return IndexSelect(idx);
    }

    /// <summary>Rows start..start+count−1 along axis 0 (a copy).</summary>
    public Tensor Rows(int start, int count)
    {
        CheckAlive("Rows");
        if (Rank == 0 || start < 0 || count < 0 || (long)start + count > _shape[0])
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows: rows {start}..{(long)start + count - 1} are out of range for shape {ShapeString(_shape)}.");
        return IndexSelect(Enumerable.Range(start, count).ToArray());
    }

    /// <summary>One-hot float [N, classes] from integer labels [N].</summary>
    public Tensor OneHot(int classes, DType dtype = DType.Float32)
    {
        CheckAlive("OneHot");
        if (DType is not (DType.Int32 or DType.Int64) || Rank != 1)
            throw new ArgumentException($"OneHot: expected 1-D integer labels, got {DType.Name()} with shape {ShapeString(_shape)}.");
        if (classes <= 0)
            throw new ArgumentOutOfRangeException(nameof(classes), $"OneHot: classes must be positive, got {classes}.");
        var y = Zeros("OneHot", [_shape[0], classes], dtype, Device);
        Backend.OneHot(this, y);
        return y;
    }

    /// <summary>Stretches (broadcasts) to <paramref name="shape"/> as a new tensor.</summary>
    public Tensor Expand(int[] shape)
    {
        CheckFloat("Expand");
        long size = CheckedSize("Expand", shape);
        var target = BroadcastShape("Expand", _shape, shape);
        if (!target.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"Expand: shape {ShapeString(_shape)} cannot be expanded to {ShapeString(shape)}.");
        using var zero = Zeros([], DType, Device);
        var y = new Tensor(Backend.Allocate(DType, size), (int[])shape.Clone());
        Backend.Binary(BinaryOp.Add, this, zero, y);
        return Autograd.Record(y, "Expand", [this], g => [g.SumTo(_shape)]);
    }

    /// <summary>Sums a broadcast result back to <paramref name="shape"/> (the backward of broadcasting).</summary>
    public Tensor SumTo(int[] shape)
    {
        CheckAlive("SumTo");
        if (_shape.AsSpan().SequenceEqual(shape)) return this;
        if (shape.Length > Rank)
            throw new ArgumentException($"SumTo: shape {ShapeString(_shape)} does not reduce to {ShapeString(shape)} (more dimensions).");
        var t = this;
        int lead = Rank - shape.Length;
        for (int i = 0; i < lead; i++) t = t.Sum(0);
        for (int i = 0; i < shape.Length; i++)
            if (shape[i] == 1 && t._shape[i] != 1) t = t.Sum(i, keepDim: true);
        if (!t._shape.AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"SumTo: shape {ShapeString(_shape)} does not reduce to {ShapeString(shape)}.");
        return t;
    }
}
