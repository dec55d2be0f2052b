using Engine;

namespace Chapters.Ch21;

/// <summary>
/// 21.4.5 — memory: Dispose frees one tensor; Tidy frees every temporary its body created and keeps
/// the returned tensor; variables survive a Tidy. Counts come from Tensor.Memory() for --device.
/// </summary>
public sealed class Ex21_4_5_MemoryManagement : Exercise
{
    public override string Id => "21.4.5";
    public override string Title => "Memory: Dispose, Tidy over 1,000 temporaries; live tensor count and bytes return to their start";

    public override void Run(ExerciseContext ctx)
    {
        var d = ctx.Device;
        var start = Tensor.Memory()[d];
        ctx.Print($"before: {start.NumTensors} tensors, {start.NumBytes} bytes on {d}");

        var x = Tensor.Ones([100, 100], device: d);
        ctx.Print($"after creating x [100, 100]: {Tensor.Memory()[d].NumTensors} tensors");
        x.Dispose();
        var afterDispose = Tensor.Memory()[d];
        ctx.Print($"after x.Dispose(): {afterDispose.NumTensors} tensors, {afterDispose.NumBytes} bytes");
        ctx.Expect("Dispose returns the count to its start", start.NumTensors.ToString(), afterDispose.NumTensors.ToString());

        using var v = new Variable(Tensor.Zeros([10], device: d), name: "kept");
        var baseline = Tensor.Memory()[d];
        long peak = 0;
        var y = Tensor.Tidy(() =>
        {
            var acc = Tensor.Zeros([10], device: d);
            for (int i = 0; i < 1000; i++)
                acc = acc + Tensor.Ones([10], device: d) * 0.5;
            peak = Tensor.Memory()[d].NumTensors;
            v.Assign(acc);
            return acc.Sum();
        });
        var after = Tensor.Memory()[d];
        ctx.Print($"inside Tidy: {peak - baseline.NumTensors} tensors more than before; after Tidy: {after.NumTensors - baseline.NumTensors} more (the returned sum)");
        Tensor.Tidy(() => ctx.Print($"returned value {TensorText.Of(y)}; the variable survives: {TensorText.Of(v.Value.Sum())}"));
        ctx.Expect("Tidy keeps only its result", "1", (after.NumTensors - baseline.NumTensors).ToString());
        ctx.Expect("bytes after Tidy = before + the result", (baseline.NumBytes + y.Storage.Bytes).ToString(), after.NumBytes.ToString());
        ctx.Expect("the returned tensor survives", "5000", TensorText.Of(y));
        y.Dispose();
        var end = Tensor.Memory()[d];
        ctx.Expect("after disposing the result the count is back", baseline.NumTensors.ToString(), end.NumTensors.ToString());
        ctx.Print($"end: {end.NumTensors} tensors, {end.NumBytes} bytes on {d}");
    }
}
