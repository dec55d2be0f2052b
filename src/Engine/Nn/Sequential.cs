namespace Engine.Nn;

/// <summary>Modules applied one after another (torch.nn.Sequential); children are named "0", "1", ….</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = new();

    /// <summary>Builds the chain.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a module.</summary>
    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
