using Engine.Functional;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Conv;

/// <summary>
/// Eval-mode batch norm with frozen γ and β (a style-transfer backbone): the backward then skips dγ and dβ,
/// and dx must still be dy·γ·invStd — checked by central differences and against the same layer with γ and β
/// requiring grad.
/// </summary>
public class FrozenBatchNormTests
{
    [Test]
    public void FrozenEvalBatchNormStillGivesTheInputGradient()
    {
        var x = GradCheck.Rand([2, 3, 4, 5], seed: 21);
        var mean = GradCheck.Rand([3], seed: 22);
        var variance = GradCheck.Rand([3], 0.5, 2, seed: 23);
        var gamma = GradCheck.Rand([3], seed: 24);
        var beta = GradCheck.Rand([3], seed: 25);
        gamma.RequiresGrad = false;
        beta.RequiresGrad = false;
        GradCheck.Check(t => F.BatchNorm(t[0], mean, variance, gamma, beta), [x], what: "BatchNorm eval, frozen γ and β");

        using var scope = Tensor.Scope();
        var r = Tensor.Randn([2, 3, 4, 5], DType.Float64, generator: new Generator(26));
        var xa = x.Detach(); xa.RequiresGrad = true;
        (F.BatchNorm(xa, mean, variance, gamma, beta) * r).Sum().Backward();
        var g2 = gamma.Detach(); g2.RequiresGrad = true;
        var b2 = beta.Detach(); b2.RequiresGrad = true;
        var xb = x.Detach(); xb.RequiresGrad = true;
        (F.BatchNorm(xb, mean, variance, g2, b2) * r).Sum().Backward();
        Assert.That(xa.Grad!.ToDoubleArray(), Is.EqualTo(xb.Grad!.ToDoubleArray()), "dx with frozen γ, β = dx with trainable ones");
        Assert.That(gamma.Grad, Is.Null, "a frozen γ gets no gradient");
        Assert.That(g2.Grad, Is.Not.Null);
    }
}
