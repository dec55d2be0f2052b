using Engine.Functional;
using Engine.Nn;
using Engine.Tests.Autograd;
using NUnit.Framework;

namespace Engine.Tests.Nn;

/// <summary>The PyTorch signatures docs/pytorch-api-audit.md lists: softmax along any dim, Flatten's end_dim, reprs.</summary>
public class ApiAuditTests
{
    [Test]
    public void SoftmaxAndLogSoftmaxWorkAlongAnyDim()
    {
        var x = GradCheck.Rand([2, 3, 4], seed: 2);
        // dim 1 of x equals the last axis of x with axes 1 and 2 swapped
        var viaTranspose = x.Transpose(1, 2).Softmax().Transpose(1, 2).ToDoubleArray();
        Assert.That(F.Softmax(x, 1).ToDoubleArray(), Is.EqualTo(viaTranspose));
        Assert.That(new Engine.Nn.Softmax(1).Forward(x).ToDoubleArray(), Is.EqualTo(viaTranspose));
        var sums = F.Softmax(x, 0).Sum(0).ToDoubleArray();
        Assert.That(sums, Has.All.EqualTo(1.0).Within(1e-15));
        Assert.That(F.LogSoftmax(x, -1).ToDoubleArray(), Is.EqualTo(x.LogSoftmax().ToDoubleArray()));
        GradCheck.Check(t => F.LogSoftmax(t[0], 1), [x], atol: 1e-9, rtol: 1e-7, what: "LogSoftmax dim 1");
        Assert.That(() => F.Softmax(x, 3), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Softmax"));
        Assert.That(new Engine.Nn.LogSoftmax(1).ToString(), Is.EqualTo("LogSoftmax(dim=1)"));
    }

    [Test]
    public void FlattenTakesStartAndEndDim()
    {
        var x = Tensor.Zeros([2, 3, 4, 5]);
        Assert.That(new Flatten().Forward(x).Shape, Is.EqualTo(new[] { 2, 60 }));
        Assert.That(new Flatten(1, 2).Forward(x).Shape, Is.EqualTo(new[] { 2, 12, 5 }));
        Assert.That(new Flatten(0, -2).Forward(x).Shape, Is.EqualTo(new[] { 24, 5 }));
        Assert.That(new Flatten(0).Forward(Tensor.Zeros([0, 3])).Shape, Is.EqualTo(new[] { 0 }));
        Assert.That(new Flatten().ToString(), Is.EqualTo("Flatten(start_dim=1, end_dim=-1)"));
        Assert.That(() => new Flatten(2, 1).Forward(x), Throws.ArgumentException.With.Message.Contains("Flatten"));
    }
}
