namespace Engine;

/// <summary>
/// tf.variable: a mutable tensor for values that training updates. Tensors are values (every op
/// returns a new tensor); a variable holds one tensor whose contents <see cref="Assign"/> replaces.
/// The held tensor is persistent (no Tidy or Scope frees it; <see cref="Dispose"/> does) and requires
/// gradients when <see cref="Trainable"/>, so <c>optimizer.Minimize(() => f(x.Value))</c> can update it.
/// </summary>
public sealed class Variable : IDisposable
{
    /// <summary>A variable holding a copy of <paramref name="initialValue"/> (float dtypes only when trainable).</summary>
    public Variable(Tensor initialValue, bool trainable = true, string name = "Variable")
    {
        ArgumentNullException.ThrowIfNull(initialValue);
        if (trainable && !initialValue.DType.IsFloat())
            throw new ArgumentException($"Variable '{name}': a trainable variable must be float32 or float64, got {initialValue.DType.Name()}.");
        using (Tensor.NoGrad()) Value = initialValue.Clone();
        Value.Persistent = true;
        Value.RequiresGrad = trainable;
        Name = name;
    }

    /// <summary>The current value (the same tensor object for the variable's life).</summary>
    public Tensor Value { get; }

    /// <summary>The name given at creation.</summary>
    public string Name { get; }

    /// <summary>Whether optimisers update it.</summary>
    public bool Trainable
    {
        get => Value.RequiresGrad;
        set => Value.RequiresGrad = value;
    }

    /// <summary>The value's shape.</summary>
    public int[] Shape => Value.Shape;

    /// <summary>Replaces the contents with <paramref name="value"/> (same shape and dtype; any device).</summary>
    public Variable Assign(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.SameShape(Value))
            throw new ArgumentException($"Variable '{Name}'.Assign: the variable has shape {Tensor.ShapeString(Value.Shape)}, the new value {Tensor.ShapeString(value.Shape)}.");
        if (value.DType != Value.DType)
            throw new ArgumentException($"Variable '{Name}'.Assign: the variable is {Value.DType.Name()}, the new value {value.DType.Name()}.");
        using (Tensor.NoGrad()) Value.CopyFrom(value);
        return this;
    }

    /// <summary>The value, so a variable can be passed where a tensor is expected.</summary>
    public static implicit operator Tensor(Variable v) => v.Value;

    /// <summary>Frees the value (and its gradient).</summary>
    public void Dispose()
    {
        Value.ZeroGrad();
        Value.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"Variable '{Name}' {Tensor.ShapeString(Value.Shape)}";
}
