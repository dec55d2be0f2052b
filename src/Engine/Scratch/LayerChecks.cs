namespace Engine.Scratch;

/// <summary>Shape checks shared by the from-scratch layers; messages name the layer and both shapes.</summary>
internal static class LayerChecks
{
    /// <summary>Throws unless <paramref name="t"/> has the shape of <paramref name="reference"/>.</summary>
    public static void SameShape(string op, Tensor t, Tensor reference, string what)
    {
        if (!t.SameShape(reference))
            throw new ArgumentException($"{op}: dout has shape {Tensor.ShapeString(t.Shape)} but {what} has shape {Tensor.ShapeString(reference.Shape)}; they must match.");
    }
}
