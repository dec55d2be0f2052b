using Engine.Nn;

namespace Engine.Tests.Parallel;

/// <summary>A two-layer test network (x·W1 + b1 → ReLU → ·W2) that logs the input shapes its forward sees.</summary>
internal sealed class TinyNet : Module
{
    private readonly Tensor _w1, _b1, _w2;
    private readonly List<string> _log;

    public TinyNet(ulong seed, List<string> log)
    {
        var g = new Generator(seed);
        _w1 = RegisterParameter("w1", Tensor.Randn([13, 8], generator: g) * 0.3);
        _b1 = RegisterParameter("b1", Tensor.Randn([8], generator: g) * 0.1);
        _w2 = RegisterParameter("w2", Tensor.Randn([8, 1], generator: g) * 0.3);
        _log = log;
    }

    public override Tensor Forward(Tensor input)
    {
        var y = input.MatMul(_w1).Add(_b1).Relu().MatMul(_w2);
        lock (_log) _log.Add($"In Model: input size {Tensor.ShapeString(input.Shape)} output size {Tensor.ShapeString(y.Shape)}");
        return y;
    }
}
