using Engine.Functional;

namespace Engine.IO.Onnx;

/// <summary>
/// The ONNX operators this importer runs, each written with engine ops that record autograd, so an
/// imported model can be differentiated w.r.t. its input or its weights. Semantics follow the ONNX
/// operator specification for opsets <see cref="OnnxModel.MinOpset"/>–<see cref="OnnxModel.MaxOpset"/>.
/// Convolution, pooling and batch norm are in OnnxOps.Conv.cs.
/// </summary>
internal static partial class OnnxOps
{
    /// <summary>The supported operators and the attributes each may carry.</summary>
    private static readonly Dictionary<string, string[]> Known = new()
    {
        ["Conv"] = ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"],
        ["BatchNormalization"] = ["epsilon", "momentum", "spatial", "training_mode"],
        ["Relu"] = [], ["Sigmoid"] = [], ["Tanh"] = [], ["Identity"] = [],
        ["Clip"] = ["min", "max"],
        ["Add"] = [], ["Sub"] = [], ["Mul"] = [], ["Div"] = [],
        ["MaxPool"] = ["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"],
        ["AveragePool"] = ["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"],
        ["GlobalAveragePool"] = [],
        ["Gemm"] = ["alpha", "beta", "transA", "transB"],
        ["MatMul"] = [],
        ["Flatten"] = ["axis"],
        ["Reshape"] = ["allowzero"],
        ["Concat"] = ["axis"],
        ["Softmax"] = ["axis"],
        ["Dropout"] = ["ratio", "seed"],
        ["Pad"] = ["mode", "pads", "value"],
        ["Split"] = ["axis", "split"],
        ["Constant"] = ["value"],
    };

    /// <summary>Load-time check: the operator and its attributes are implemented, and it asks for no output we cannot make.</summary>
    public static void CheckSupported(OnnxNode node, int opset)
    {
        if (!Known.TryGetValue(node.OpType, out var attributes))
            throw new NotSupportedException($"ONNX: operator '{node.OpType}' of {node.Where} is not supported; this importer implements {string.Join(", ", Known.Keys)}.");
        node.OnlyAttributes(attributes);
        bool extraOutputs = node.OpType != "Split" && node.Outputs.Skip(1).Any(o => o.Length > 0);
        if (extraOutputs)
            throw new NotSupportedException($"ONNX: {node.Where} asks for {node.Outputs.Count} outputs ({string.Join(", ", node.Outputs)}); only the first (the operator's result) is supported.");
        if (node.OpType == "BatchNormalization" && node.Int("spatial", 1) != 1)
            throw new NotSupportedException($"ONNX: {node.Where} has spatial = 0 (per-element statistics), which is not supported.");
        if (node.OpType == "BatchNormalization" && node.Int("training_mode", 0) != 0)
            throw new NotSupportedException($"ONNX: {node.Where} has training_mode = 1; call Train() on the model instead.");
        if (node.OpType is "Reshape" && opset < 5)
            throw new NotSupportedException($"ONNX: {node.Where}: Reshape before opset 5 (shape as an attribute) is not supported.");
    }

    /// <summary>Runs one node: its tensor inputs (null for omitted or integer-constant inputs) → its outputs.</summary>
    public static Tensor[] Run(OnnxNode node, Tensor?[] x, OnnxContext c)
    {
        Tensor In(int i) => i < x.Length && x[i] is { } t ? t
            : throw new InvalidDataException($"ONNX: {node.Where} needs a float tensor as input {i} ('{(i < node.Inputs.Count ? node.Inputs[i] : "")}').");
        Tensor? Opt(int i) => i < x.Length ? x[i] : null;
        try
        {
            return node.OpType switch
            {
                "Conv" => [Conv(c, In(0), In(1), Opt(2))],
                "BatchNormalization" => [BatchNorm(c, In(0), In(1), In(2), In(3), In(4))],
                "MaxPool" => [MaxPool(c, In(0))],
                "AveragePool" => [AveragePool(c, In(0))],
                "GlobalAveragePool" => [GlobalAveragePool(c, In(0))],
                "Relu" => [c.OverwriteInput ? ReluInPlace(In(0)) : In(0).Relu()],
                "Sigmoid" => [In(0).Sigmoid()],
                "Tanh" => [In(0).Tanh()],
                "Identity" => [In(0)],
                "Clip" => [Clip(c, In(0), Opt(1), Opt(2))],
                "Add" when c.FuseRelu => [AddRelu(c, In(0), In(1))],
                "Add" => [c.OverwriteInput && SameShape(In(0), In(1)) ? In(0).AddInPlace(In(1)) : In(0) + In(1)],
                "Sub" => [In(0) - In(1)],
                "Mul" => [In(0) * In(1)],
                "Div" => [In(0) / In(1)],
                "Gemm" => [Gemm(c, In(0), In(1), Opt(2))],
                "MatMul" => [MatMul(c, In(0), In(1))],
                "Flatten" => [Flatten(c, In(0))],
                "Reshape" => [Reshape(c, In(0))],
                "Concat" => [F.Concat(x.Select((t, i) => t ?? In(i)).ToArray(), (int)node.Int("axis", 0))],
                "Softmax" => [Softmax(c, In(0))],
                "Dropout" => [Dropout(c, In(0), Opt(1))],
                "Pad" => [Pad(c, In(0), Opt(2))],
                "Split" => Split(c, In(0)),
                _ => throw new NotSupportedException($"ONNX: operator '{node.OpType}' of {node.Where} is not supported."),
            };
        }
        catch (ArgumentException e)
        {
            // A shape the engine op rejects: say which node of the file it was.
            throw new ArgumentException($"ONNX: {node.Where}: {e.Message}", e);
        }
    }

    /// <summary>max(x, 0) written over x (inference: x is read by no other node).</summary>
    private static Tensor ReluInPlace(Tensor x)
    {
        x.Backend.Unary(UnaryOp.Relu, x, x);
        return x;
    }

    /// <summary>
    /// max(0, a + b) for an Add whose only reader is a Relu (inference): one pass on the CPU for same-shaped
    /// tensors (over a when it may be overwritten), else the Add and then the Relu over its fresh result.
    /// </summary>
    private static Tensor AddRelu(OnnxContext c, Tensor a, Tensor b)
    {
        if (a.Backend is CpuBackend cpu && SameShape(a, b))
        {
            var y = c.OverwriteInput ? a : Tensor.Empty(a.Shape, a.DType, a.Device);
            cpu.AddRelu(a, b, y);
            return y;
        }
        return ReluInPlace(c.OverwriteInput && SameShape(a, b) ? a.AddInPlace(b) : a + b);
    }

    private static bool SameShape(Tensor a, Tensor b) => a.ShapeRef.AsSpan().SequenceEqual(b.ShapeRef) && a.DType == b.DType && a.Device == b.Device;

    /// <summary>min(max(x, lo), hi): bounds are attributes before opset 11, optional scalar inputs from 11 on.</summary>
    private static Tensor Clip(OnnxContext c, Tensor x, Tensor? min, Tensor? max)
    {
        double lo, hi;
        if (c.Opset < 11)
        {
            lo = c.Node.Float("min", float.MinValue);
            hi = c.Node.Float("max", float.MaxValue);
        }
        else
        {
            lo = min is null ? double.NegativeInfinity : Scalar(c, min, "min");
            hi = max is null ? double.PositiveInfinity : Scalar(c, max, "max");
        }
        return x.Clamp(lo, hi);
    }

    /// <summary>Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A (2-D), C broadcast to [M, N].</summary>
    private static Tensor Gemm(OnnxContext c, Tensor a, Tensor b, Tensor? bias)
    {
        if (a.Rank != 2 || b.Rank != 2)
            throw new ArgumentException($"Gemm expects 2-D A and B, got {Tensor.ShapeString(a.Shape)} and {Tensor.ShapeString(b.Shape)}.");
        double alpha = c.Node.Float("alpha", 1), beta = c.Node.Float("beta", 1);
        var y = a.MatMul(b, c.Node.Int("transA", 0) != 0, c.Node.Int("transB", 0) != 0);
        if (alpha != 1) y = y * alpha;
        if (bias is not null && beta != 0) y = y + (beta == 1 ? bias : bias * beta);
        return y;
    }

    /// <summary>numpy matmul for [.., M, K]·[K, N] and batched [B, M, K]·[B, K, N].</summary>
    private static Tensor MatMul(OnnxContext c, Tensor a, Tensor b)
    {
        if (a.Rank >= 2 && b.Rank == 2)
        {
            if (a.Rank == 2) return a.MatMul(b);
            var shape = a.Shape;
            var y = a.Reshape(-1, shape[^1]).MatMul(b);
            shape[^1] = b.Dim(1);
            return y.Reshape(shape);
        }
        if (a.Rank == 3 && b.Rank == 3) return a.MatMul(b);
        throw new NotSupportedException($"ONNX: {c.Node.Where}: MatMul of shapes {Tensor.ShapeString(a.Shape)} and {Tensor.ShapeString(b.Shape)} is not supported ([.., M, K]·[K, N] and [B, M, K]·[B, K, N] are).");
    }

    /// <summary>[d0 … d(axis−1), d(axis) …] → [d0·…·d(axis−1), d(axis)·…].</summary>
    private static Tensor Flatten(OnnxContext c, Tensor x)
    {
        int axis = (int)c.Node.Int("axis", 1);
        if (axis < 0) axis += x.Rank;
        if (axis < 0 || axis > x.Rank)
            throw new ArgumentException($"Flatten axis {c.Node.Int("axis", 1)} is out of range for shape {Tensor.ShapeString(x.Shape)}.");
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= x.Dim(d);
        return x.Reshape(outer, outer == 0 ? 0 : (int)(x.Size / outer));
    }

    /// <summary>Reshape to the constant shape input: 0 copies the input's dimension (unless allowzero), −1 is inferred.</summary>
    private static Tensor Reshape(OnnxContext c, Tensor x)
    {
        var target = c.IntInput(1) ?? throw new InvalidDataException($"ONNX: {c.Node.Where} has no shape input.");
        bool allowZero = c.Node.Int("allowzero", 0) != 0;
        var shape = new int[target.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            long d = target[i];
            if (d == 0 && !allowZero)
            {
                if (i >= x.Rank) throw new ArgumentException($"Reshape: shape [{string.Join(", ", target)}] copies dimension {i}, which input {Tensor.ShapeString(x.Shape)} does not have.");
                d = x.Dim(i);
            }
            if (d < -1 || d > int.MaxValue) throw new ArgumentException($"Reshape: invalid target dimension {d} in [{string.Join(", ", target)}].");
            shape[i] = (int)d;
        }
        return x.Reshape(shape);
    }

    /// <summary>Softmax along axis: before opset 13 over the flattened [.., axis:] block (default axis 1), from 13 on along one axis (default −1).</summary>
    private static Tensor Softmax(OnnxContext c, Tensor x)
    {
        int rank = x.Rank;
        if (c.Opset < 13)
        {
            int axis = (int)c.Node.Int("axis", 1);
            if (axis < 0) axis += rank;
            int outer = 1;
            for (int d = 0; d < axis; d++) outer *= x.Dim(d);
            var shape = x.Shape;
            return x.Reshape(outer, (int)(x.Size / Math.Max(1, outer))).Softmax().Reshape(shape);
        }
        int ax = (int)c.Node.Int("axis", -1);
        if (ax < 0) ax += rank;
        if (ax < 0 || ax >= rank) throw new ArgumentException($"Softmax axis {c.Node.Int("axis", -1)} is out of range for shape {Tensor.ShapeString(x.Shape)}.");
        if (ax == rank - 1) return x.Softmax();
        return x.Transpose(ax, rank - 1).Softmax().Transpose(ax, rank - 1);
    }

    /// <summary>Constant padding of the two spatial axes of [N, C, H, W] (pads [x1_begin … x4_end] from the attribute before opset 11, the input from 11 on).</summary>
    private static Tensor Pad(OnnxContext c, Tensor x, Tensor? valueInput)
    {
        string mode = c.Node.String("mode", "constant");
        if (mode != "constant") throw new NotSupportedException($"ONNX: {c.Node.Where}: Pad mode '{mode}' is not supported (only 'constant').");
        var pads = (c.Opset < 11 ? c.Node.Ints("pads") : c.IntInput(1)) ?? throw new InvalidDataException($"ONNX: {c.Node.Where} gives no pads.");
        if (c.Opset >= 18 && c.Node.Inputs.Count > 3 && c.Node.Inputs[3].Length > 0)
            throw new NotSupportedException($"ONNX: {c.Node.Where}: Pad with an axes input is not supported.");
        double value = c.Opset < 11 ? c.Node.Float("value", 0) : valueInput is null ? 0 : Scalar(c, valueInput, "constant_value");
        if (x.Rank != 4 || pads.Length != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0 || pads.Any(p => p < 0 || p > 1 << 16))
            throw new NotSupportedException($"ONNX: {c.Node.Where}: pads [{string.Join(", ", pads)}] on shape {Tensor.ShapeString(x.Shape)}; only non-negative padding of H and W of a 4-D tensor is supported.");
        return F.Pad2d(x, (int)pads[2], (int)pads[6], (int)pads[3], (int)pads[7], value);
    }

    /// <summary>Split along axis into the node's outputs: sizes from 'split' (attribute before opset 13, input from 13 on) or equal parts.</summary>
    private static Tensor[] Split(OnnxContext c, Tensor x)
    {
        int axis = (int)c.Node.Int("axis", 0);
        if (axis < 0) axis += x.Rank;
        if (axis < 0 || axis >= x.Rank) throw new ArgumentException($"Split axis {c.Node.Int("axis", 0)} is out of range for shape {Tensor.ShapeString(x.Shape)}.");
        int parts = c.Node.Outputs.Count, dim = x.Dim(axis);
        var sizes = c.Opset < 13 ? c.Node.Ints("split") : c.IntInput(1);
        if (sizes is null)
        {
            if (dim % parts != 0) throw new ArgumentException($"Split: axis {axis} of size {dim} does not split into {parts} equal parts.");
            sizes = Enumerable.Repeat((long)(dim / parts), parts).ToArray();
        }
        if (sizes.Length != parts || sizes.Any(v => v < 0) || sizes.Sum() != dim)
            throw new ArgumentException($"Split: sizes [{string.Join(", ", sizes)}] do not split axis {axis} of size {dim} into {parts} outputs.");
        var y = new Tensor[parts];
        int start = 0;
        for (int i = 0; i < parts; i++) { y[i] = F.Narrow(x, axis, start, (int)sizes[i]); start += (int)sizes[i]; }
        return y;
    }

    /// <summary>The identity in eval mode (as in inference); inverted dropout with the node's ratio in training.</summary>
    private static Tensor Dropout(OnnxContext c, Tensor x, Tensor? ratioInput)
    {
        if (!c.Training) return x;
        double ratio = c.Opset < 12 ? c.Node.Float("ratio", 0.5f) : ratioInput is null ? 0.5 : Scalar(c, ratioInput, "ratio");
        return F.Dropout(x, ratio, training: true);
    }

    private static double Scalar(OnnxContext c, Tensor t, string what) =>
        t.Size == 1 ? t.Item() : throw new ArgumentException($"expected a scalar '{what}' input, got shape {Tensor.ShapeString(t.Shape)} (node {c.Node.Name}).");
}
