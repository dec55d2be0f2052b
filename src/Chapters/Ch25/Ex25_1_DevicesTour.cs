using Engine;
using Engine.Nn;

namespace Chapters.Ch25;

/// <summary>
/// 25.1 — devices: is CUDA available, how many devices (after CUDA_VISIBLE_DEVICES), what they are,
/// and moving tensors and models with .To(device) / .Cuda(). Without a GPU it says so and goes on
/// on the CPU.
/// </summary>
public sealed class Ex25_1_DevicesTour : Exercise
{
    public override string Id => "25.1";
    public override string Title => "Devices: IsAvailable, DeviceCount, properties, .To(device) / .Cuda()";

    public override void Run(ExerciseContext ctx)
    {
        bool available = Device.IsAvailable;
        int count = Device.DeviceCount;
        ctx.Print($"Device.IsAvailable: {available}");
        ctx.Print($"Device.DeviceCount: {count}");
        ctx.Print($"CUDA_VISIBLE_DEVICES: {DescribeVisible(Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"))}");
        for (int i = 0; i < count; i++)
        {
            CudaDeviceProperties props;
            try { props = Device.GetDeviceProperties(i); }
            catch (NotSupportedException e)
            {
                ctx.Print($"cuda:{i}: {e.Message}");
                continue;
            }
            ctx.Print($"cuda:{i}: {props}");
            ctx.Expect($"cuda:{i} properties: name, memory, SMs, compute capability",
                "non-empty, > 0, > 0, ≥ 3.0", $"'{props.Name}', {props.TotalMemory / (1024 * 1024)} MiB, {props.MultiProcessorCount} SMs, {props.Major}.{props.Minor}",
                props.Name.Length > 0 && props.TotalMemory > 0 && props.MultiProcessorCount > 0 && props.Major >= 3);
        }
        if (!available) ctx.Print($"no GPU here ({DeviceRegistry.CudaUnavailableReason}); everything below runs on the CPU.");

        var device = ctx.Device.Type == DeviceType.Cuda ? ctx.Device : Device.CudaIfAvailable();
        ctx.Print($"device = {device}");

        var g = ctx.NewGenerator();
        using var x = Tensor.Randn([2, 3], generator: g);
        using var w = Tensor.Randn([3, 4], generator: g);
        var xd = x.To(device);
        var wd = available ? w.Cuda(device.Index) : w.To(device);
        var y = xd.MatMul(wd);
        ctx.Print($"x.To({device}).Device: {xd.Device}; (x·w).Device: {y.Device}; back on the host: {y.Cpu().Device}");
        var model = new Net1(generator: g);
        if (available) model.Cuda(device.Index); else model.To(device);
        ctx.Print($"model.{(available ? $"Cuda({device.Index})" : $"To({device})")}: every parameter on {string.Join(", ", model.Parameters().Select(p => p.Device.ToString()).Distinct())}");
        using var batch = Tensor.Randn([5, 13], generator: g);
        var output = model.Forward(batch.To(device));
        ctx.Print($"model(x) on {output.Device}: shape {Tensor.ShapeString(output.Shape)}");

        // Without a GPU, IsAvailable is defined as DeviceCount > 0 and "the device's x·w" is the CPU's own: rows that cannot fail.
        if (count > 0) ctx.Expect("IsAvailable agrees with DeviceCount", "True iff DeviceCount > 0", $"{available}, {count}", available == count > 0);
        else ctx.Skip("IsAvailable agrees with DeviceCount", "True iff DeviceCount > 0", "no GPU");
        ctx.Expect("result device", device.ToString(), y.Device.ToString());
        using var direct = x.MatMul(w);
        var diff = direct.ToDoubleArray().Zip(y.Cpu().ToDoubleArray(), (a, b) => Math.Abs(a - b)).Max();
        if (device.Type == DeviceType.Cuda)
            ctx.Expect($"x·w on {device} equals the CPU result", "≤ 1e-5", diff.ToString("0.##e+0", System.Globalization.CultureInfo.InvariantCulture), diff <= 1e-5);
        else ctx.Skip("x·w on the GPU equals the CPU result", "≤ 1e-5", "no GPU");
    }

    /// <summary>What CUDA_VISIBLE_DEVICES says; the driver applies it (Device.DeviceCount and cuda:N count only the GPUs it lists, in its order).</summary>
    internal static string DescribeVisible(string? value) => value switch
    {
        null => "(not set: every GPU is visible)",
        _ when string.IsNullOrWhiteSpace(value) => "(set but empty: every GPU is hidden)",
        _ => $"{value} (cuda:0, cuda:1, … are the GPUs it lists, in that order)",
    };
}
