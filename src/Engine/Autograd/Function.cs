namespace Engine;

/// <summary>
/// A custom differentiable operation, like torch.autograd.Function: derive, override
/// <see cref="Forward"/> (runs with autograd off; save what backward needs on the context) and
/// <see cref="Backward"/> (one gradient per input, null where none), then call
/// <c>MyReLU.Apply(x)</c>. Built on <see cref="Autograd.Record"/>; the gradients Backward returns are
/// checked against the inputs (count, shape, dtype, device) and a mismatch names the function.
/// </summary>
/// <typeparam name="TSelf">The deriving class (so <c>Apply</c> can be called on it statically).</typeparam>
public abstract class Function<TSelf> where TSelf : Function<TSelf>, new()
{
    /// <summary>Computes the output from the inputs; runs under NoGrad.</summary>
    public abstract Tensor Forward(FunctionContext ctx, params Tensor[] inputs);

    /// <summary>Given dLoss/dOutput, returns dLoss/dInput for every input (null for inputs that need none).</summary>
    public abstract Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput);

    /// <summary>Runs the function on <paramref name="inputs"/> and records it for autograd (Function.apply).</summary>
    public static Tensor Apply(params Tensor[] inputs)
    {
        string name = typeof(TSelf).Name;
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].IsDisposed)
                throw new ObjectDisposedException(nameof(Tensor), $"{name}: input {i} (shape {Tensor.ShapeString(inputs[i].Shape)}) was disposed.");
        var fn = new TSelf();
        var ctx = new FunctionContext(name, inputs);
        Tensor output;
        using (Tensor.NoGrad()) output = fn.Forward(ctx, inputs);
        // An output that is one of the inputs would get the input's history overwritten: give it its own memory.
        if (inputs.Any(x => ReferenceEquals(x, output))) output = output.Clone();
        var shapes = inputs.Select(x => x.Shape).ToArray();
        var dtypes = inputs.Select(x => x.DType).ToArray();
        var devices = inputs.Select(x => x.Device).ToArray();
        var outShape = output.Shape;
        return Autograd.Record(output, name, inputs, g =>
        {
            var grads = fn.Backward(ctx, g);
            if (grads.Length != inputs.Length)
                throw new InvalidOperationException($"{name}.Backward returned {grads.Length} gradient(s) but Forward took {inputs.Length} input(s); return one per input (null where none).");
            for (int i = 0; i < grads.Length; i++)
            {
                if (grads[i] is not Tensor gi) continue;
                if (!gi.Shape.AsSpan().SequenceEqual(shapes[i]))
                    throw new InvalidOperationException($"{name}.Backward: gradient {i} has shape {Tensor.ShapeString(gi.Shape)} but input {i} has shape {Tensor.ShapeString(shapes[i])} (output {Tensor.ShapeString(outShape)}).");
                if (gi.DType != dtypes[i] || gi.Device != devices[i])
                    throw new InvalidOperationException($"{name}.Backward: gradient {i} is {gi.DType.Name()} on {gi.Device} but input {i} is {dtypes[i].Name()} on {devices[i]}.");
            }
            return grads;
        });
    }
}
