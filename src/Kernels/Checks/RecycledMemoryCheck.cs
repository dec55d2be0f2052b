using Engine.Functional;

namespace Engine.Kernels.Checks;

/// <summary>
/// The op outputs a conv-net step takes from IBackend.AllocateUninitialized (Tensor.Empty: Conv2d's
/// im2col/GEMM/permute/dx/dW buffers, MaxPool2d's y/argmax/dx, MatMul's result, Scratch.Relu's dx), checked
/// the way real use meets them: on memory the caching allocator recycles. One small step runs on the device
/// (so the cache holds blocks of exactly the step's sizes), every cached byte is set to 0xFF (a float NaN,
/// an int −1), and the step runs again; it must match the CPU. An op that leaves an element of such an output
/// unwritten, or reads it first, turns the gradients into NaN.
/// </summary>
internal static class RecycledMemoryCheck
{
    /// <summary>The step's outputs and gradients on <paramref name="device"/>, as one host array (everything it allocates is freed).</summary>
    public static double[] Step(Device device)
    {
        var g = new Generator(7);
        using var scope = Tensor.Scope();
        var x = Tensor.Randn([3, 2, 9, 10], generator: g).To(device).RequiresGrad_();
        var w = (Tensor.Randn([4, 2, 3, 3], generator: g) * 0.3).To(device).RequiresGrad_();
        var b = Tensor.Randn([4], generator: g).To(device).RequiresGrad_();
        var w2 = (Tensor.Randn([80, 6], generator: g) * 0.1).To(device).RequiresGrad_();
        var h = F.Conv2d(x, w, b, stride: 1, padding: 1);           // [3, 4, 9, 10]
        var p = F.MaxPool2d(h.Relu(), 2);                             // [3, 4, 4, 5]
        var logits = p.Reshape([3, 80]).MatMul(w2);                   // [3, 6]
        (logits * logits).Sum().Backward();
        var relu = new Scratch.Relu();
        relu.Forward(logits);
        var dx = relu.Backward(logits);
        return [.. Host(logits), .. Host(dx), .. Host(x.Grad!), .. Host(w.Grad!), .. Host(b.Grad!), .. Host(w2.Grad!)];
    }

    /// <summary>Normwise relative error of the step on recycled, NaN-filled CUDA memory against the CPU.</summary>
    public static double Run(CudaBackend backend)
    {
        var want = Step(Device.Cpu);
        Step(backend.Device);
        backend.Synchronize();
        backend.Context.Allocator.FillCached(0xFF, backend.Stream.Pointer);
        var got = Step(backend.Device);
        return OpCheck.NormRelError(got, want);
    }

    private static double[] Host(Tensor t) => t.Cpu().ToDoubleArray();
}
