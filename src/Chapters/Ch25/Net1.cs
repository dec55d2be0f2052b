using Engine;
using Engine.Nn;

namespace Chapters.Ch25;

/// <summary>
/// The book's Net1 for Boston housing: Linear(13,16)+ReLU → Linear(16,32)+ReLU → Linear(32,1).
/// Its forward prints "In Model: input size … output size …" (to <see cref="Log"/>), so under
/// DataParallel each replica's chunk is visible.
/// </summary>
public sealed class Net1 : Module
{
    public Net1(Generator? generator = null)
    {
        Layers = RegisterModule("layers", new Sequential(
            new Linear(13, 16, generator: generator), new ReLU(),
            new Linear(16, 32, generator: generator), new ReLU(),
            new Linear(32, 1, generator: generator)));
    }

    /// <summary>The layers in order (the mixed-precision run of 25.3 walks them one by one).</summary>
    public Sequential Layers { get; }

    /// <summary>Where "In Model" lines go (thread-safe; null prints nothing).</summary>
    public Action<string>? Log { get; set; }

    public override Tensor Forward(Tensor input)
    {
        var output = Layers.Forward(input);
        Log?.Invoke($"\tIn Model: input size {Tensor.ShapeString(input.Shape)} output size {Tensor.ShapeString(output.Shape)}");
        return output;
    }
}
