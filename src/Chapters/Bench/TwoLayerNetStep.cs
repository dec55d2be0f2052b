using Engine;
using Engine.Functional;
using Engine.Optim;
using Engine.Scratch;

namespace Chapters.Bench;

/// <summary>
/// One training step of a 784-50-10 ReLU net on a batch of 100 (float32), the workload of the
/// ch24 TwoLayerNet, timed the way bench/cpu_peers.py times its NumPy and PyTorch twins.
/// </summary>
public static class TwoLayerNetStep
{
    internal const int Batch = 100, In = 784, Hidden = 50, Out = 10;
    private const double Lr = 0.1;

    /// <summary>
    /// Best milliseconds per step with the engine's autograd, as the PyTorch peer does it:
    /// loss = cross_entropy(relu(x·W1 + b1)·W2 + b2, labels); loss.Backward(); p −= lr·p.Grad.
    /// </summary>
    public static double AutogradMs(int repeat)
    {
        var gen = new Generator(0);
        var w1 = (Tensor.Randn([In, Hidden], generator: gen) * 0.01).RequiresGrad_();
        var b1 = Tensor.Zeros([Hidden]).RequiresGrad_();
        var w2 = (Tensor.Randn([Hidden, Out], generator: gen) * 0.01).RequiresGrad_();
        var b2 = Tensor.Zeros([Out]).RequiresGrad_();
        Tensor[] parameters = [w1, b1, w2, b2];
        var x = Tensor.Rand([Batch, In], generator: gen);
        var labels = Tensor.FromArray(Enumerable.Range(0, Batch).Select(i => (int)(gen.NextUInt64() % Out)).ToArray());
        void Step()
        {
            using var scope = Tensor.Scope();
            var loss = F.CrossEntropy((x.MatMul(w1) + b1).Relu().MatMul(w2) + b2, labels);
            foreach (var p in parameters) p.ZeroGrad();
            loss.Backward();
            using (Tensor.NoGrad())
                foreach (var p in parameters) p.Backend.SgdUpdate(p, p.Grad!, Lr, 0);
        }
        return Timing.BestOf(Step, repeat) * 1e3;
    }

    /// <summary>
    /// Best milliseconds per step of the ch24 net, as DLfS's NumPy code does it (the NumPy peer mirrors
    /// it): optimizer.Update(net.Params, net.Gradient(x, t)) with one-hot t; Gradient runs Affine1 → Relu1 →
    /// Affine2 → SoftmaxWithLoss forward, every later layer's Backward and Affine1's BackwardParams (no dx for x).
    /// </summary>
    public static double ScratchMs(int repeat) => Timing.BestOf(ScratchStep().Step, repeat) * 1e3;

    /// <summary>
    /// The ch24 step on a fresh TwoLayerNet and batch (seed 0): the step itself (in a <see cref="Tensor.Scope"/>),
    /// the SGD optimiser, the images x [100, 784], the one-hot labels t [100, 10] and the generator, to go on from.
    /// </summary>
    internal static (Action Step, Sgd Optimizer, Tensor X, Tensor T, Generator Gen) ScratchStep()
    {
        var gen = new Generator(0);
        var net = new TwoLayerNet(In, Hidden, Out, generator: gen);
        var optimizer = new Sgd(lr: Lr);
        var x = Tensor.Rand([Batch, In], generator: gen);
        using var labels = Tensor.FromArray(Enumerable.Range(0, Batch).Select(i => (int)(gen.NextUInt64() % Out)).ToArray());
        var t = labels.OneHot(Out);
        void Step()
        {
            using var scope = Tensor.Scope();
            optimizer.Update(net.Params, net.Gradient(x, t));
        }
        return (Step, optimizer, x, t, gen);
    }
}
