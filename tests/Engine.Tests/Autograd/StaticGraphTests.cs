using NUnit.Framework;

namespace Engine.Tests.Autograd;

public class StaticGraphTests
{
    [Test]
    public void ReplayGivesTheEagerResultsWithNewFeeds()
    {
        var g = new Generator(4);
        var w0 = Tensor.Randn([3, 2], DType.Float64, generator: g);
        var feeds = Enumerable.Range(0, 5).Select(_ => (X: Tensor.Randn([4, 3], DType.Float64, generator: g), Y: Tensor.Randn([4, 2], DType.Float64, generator: g))).ToArray();

        // Eager reference.
        var w = w0.Clone().RequiresGrad_();
        var eager = new List<double>();
        foreach (var (x, y) in feeds)
        {
            var loss = (x.MatMul(w).Tanh() - y).Square().Mean();
            eager.Add(loss.Item());
            loss.Backward();
            using (Tensor.NoGrad()) w.SubInPlace(w.Grad! * 0.5);
            w.ZeroGrad();
        }

        using var graph = new StaticGraph();
        var px = graph.Placeholder("x", [4, 3], DType.Float64);
        var py = graph.Placeholder("y", [4, 2], DType.Float64);
        var gw = graph.Variable("w", w0);
        graph.Trace(() =>
        {
            var loss = (px.MatMul(gw).Tanh() - py).Square().Mean();
            loss.Backward();
            using (Tensor.NoGrad()) gw.SubInPlace(gw.Grad! * 0.5);
            gw.ZeroGrad();
            return loss;
        });
        Assert.That(gw.ToArray<double>(), Is.EqualTo(w0.ToArray<double>()), "tracing leaves the variables at their initial values");
        long live = Tensor.LiveCount;
        var replay = feeds.Select(f => graph.Run(("x", f.X), ("y", f.Y))[0].Item()).ToList();
        Assert.That(replay, Is.EqualTo(eager));
        Assert.That(gw.ToArray<double>(), Is.EqualTo(w.ToArray<double>()));
        Assert.That(Tensor.LiveCount, Is.EqualTo(live), "a replay allocates no tensors");
        Assert.That(graph.Ops.Select(o => o.Name), Does.Contain("MatMul").And.Contain("TanhBackward"));
    }

    [Test]
    public void BadFeedsAreNamed()
    {
        using var graph = new StaticGraph();
        var x = graph.Placeholder("x", [2, 3]);
        graph.Trace(() => x.Sum());
        Assert.That(() => graph.Run(("x", Tensor.Zeros([3, 2]))), Throws.ArgumentException.With.Message.Contains("'x'").And.Message.Contains("[3, 2]").And.Message.Contains("[2, 3]"));
        Assert.That(() => graph.Run(), Throws.ArgumentException.With.Message.Contains("x were not fed"));
        Assert.That(() => graph.Run(("z", Tensor.Zeros([2, 3]))), Throws.ArgumentException.With.Message.Contains("no placeholder named 'z'"));
        Assert.That(graph.Run(("x", Tensor.Ones([2, 3])))[0].Item(), Is.EqualTo(6));
        Assert.That(() => graph.Placeholder("y", [1]), Throws.InvalidOperationException.With.Message.Contains("already traced"));
    }

    [Test]
    public void FreshBuffersThatAreReadBeforeWrittenAreZeroedOnReplay()
    {
        // IndexAdd accumulates into a fresh zero buffer; a replay must start it from zero again.
        using var graph = new StaticGraph();
        var x = graph.Placeholder("x", [3, 2], DType.Float64);
        var w = graph.Variable("w", Tensor.Ones([3, 2], DType.Float64));
        graph.Trace(() =>
        {
            var loss = (w * x).IndexSelect([0, 0, 2]).Sum();
            loss.Backward();
            var grad = w.Grad!.Clone();
            w.ZeroGrad();
            return grad;
        });
        var feed = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        for (int i = 0; i < 3; i++)
            Assert.That(graph.Run(("x", feed))[0].ToArray<double>(), Is.EqualTo(new double[] { 2, 4, 0, 0, 5, 6 }));
        Assert.That(graph.Ops.Select(o => o.Name), Does.Contain("Zero"));
    }

    [Test]
    public void ModulesAndCrossEntropyReplayLikeEagerSteps()
    {
        static Engine.Nn.Sequential Net() => new(new Engine.Nn.Linear(6, 8, dtype: DType.Float64, generator: new Generator(3)), new Engine.Nn.ReLU(), new Engine.Nn.Linear(8, 4, dtype: DType.Float64, generator: new Generator(4)));
        var g = new Generator(8);
        var batches = Enumerable.Range(0, 4).Select(_ => (X: Tensor.Randn([5, 6], DType.Float64, generator: g), Y: Tensor.FromArray(g.Choice(4, 5)))).ToArray();

        var eagerNet = Net();
        var eager = new List<double>();
        foreach (var (x, y) in batches)
        {
            var loss = Functional.F.CrossEntropy(eagerNet.Forward(x), y);
            eager.Add(loss.Item());
            eagerNet.ZeroGrad();
            loss.Backward();
            using (Tensor.NoGrad()) foreach (var p in eagerNet.Parameters()) p.SubInPlace(p.Grad! * 0.3);
        }

        // The graph's variables are the model's parameters: declare each, then point the model at them.
        var net = Net();
        using var graph = new StaticGraph();
        var px = graph.Placeholder("x", [5, 6], DType.Float64);
        var py = graph.Placeholder("y", [5], DType.Int32);
        var vars = net.StateDict().ToDictionary(kv => kv.Key, kv => graph.Variable(kv.Key, kv.Value));
        graph.Trace(() =>
        {
            var h = (px.MatMul(vars["0.weight"], transB: true) + vars["0.bias"]).Relu();
            var loss = Functional.F.CrossEntropy(h.MatMul(vars["2.weight"], transB: true) + vars["2.bias"], py);
            loss.Backward();
            using (Tensor.NoGrad()) foreach (var v in vars.Values) { v.SubInPlace(v.Grad! * 0.3); v.ZeroGrad(); }
            return loss;
        });
        var replay = batches.Select(b => graph.Run(("x", b.X), ("y", b.Y))[0].Item()).ToList();
        Assert.That(replay, Is.EqualTo(eager));
        Assert.That(graph.Ops.Select(o => o.Name), Does.Contain("SoftmaxCrossEntropyBackward"));
        foreach (var (name, p) in eagerNet.StateDict()) Assert.That(vars[name].ToArray<double>(), Is.EqualTo(p.ToArray<double>()), name);
    }

    [Test]
    public void AFailedTraceCanBeRetried()
    {
        using var graph = new StaticGraph();
        var x = graph.Placeholder("x", [2, 3]);
        Assert.That(() => graph.Trace(() => x.MatMul(x)), Throws.ArgumentException.With.Message.Contains("MatMul"));
        Assert.That(graph.Ops, Is.Empty);
        Assert.That(() => graph.Run(("x", Tensor.Ones([2, 3]))), Throws.InvalidOperationException.With.Message.Contains("Trace"));
        graph.Trace(() => (x * 2).Sum());
        Assert.That(graph.Run(("x", Tensor.Ones([2, 3])))[0].Item(), Is.EqualTo(12));
    }
}
