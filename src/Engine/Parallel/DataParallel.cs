using Engine.Nn;

namespace Engine.Parallelism;

/// <summary>
/// torch.nn.DataParallel: one process, several devices. Each forward scatters the batch along dim 0
/// (⌈B/n⌉ rows per device), replicates the module onto each device with differentiable parameter
/// copies, runs the replicas concurrently (one worker thread each), and gathers the outputs on the
/// output device. In backward the replicas' gradients flow back through the copies and are summed
/// into the original parameters on the output device — the gradient of the whole batch.
/// With one GPU or none, list a device twice ([cuda:0, cuda:0] or [cpu, cpu]): replicas then share
/// that device and the split still happens.
/// </summary>
public sealed class DataParallel : Module
{
    /// <summary>
    /// Wraps <paramref name="module"/>. <paramref name="deviceIds"/> defaults to every visible GPU, or two
    /// replicas on the one GPU, or two CPU workers without a GPU; <paramref name="outputDevice"/>
    /// defaults to the first of them. The module's parameters must be on the output device.
    /// </summary>
    public DataParallel(Module module, IReadOnlyList<Device>? deviceIds = null, Device? outputDevice = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Module = RegisterModule("module", module);
        DeviceIds = (deviceIds ?? DefaultDevices()).ToArray();
        if (DeviceIds.Count == 0) throw new ArgumentException("DataParallel: deviceIds is empty; give at least one device.");
        OutputDevice = outputDevice ?? DeviceIds[0];
        foreach (var p in module.Parameters())
            if (p.Device != OutputDevice)
                throw new ArgumentException($"DataParallel: module parameters must be on the output device {OutputDevice} (call module.To({OutputDevice}) first); one is on {p.Device}.");
    }

    /// <summary>Every visible GPU; one GPU twice; or the CPU twice.</summary>
    public static IReadOnlyList<Device> DefaultDevices()
    {
        int n = DeviceRegistry.CudaDeviceCount;
        return n >= 2 ? Enumerable.Range(0, n).Select(Device.Cuda).ToArray()
            : n == 1 ? [Device.Cuda(0), Device.Cuda(0)]
            : [Device.Cpu, Device.Cpu];
    }

    /// <summary>The wrapped module (its parameters are the ones trained).</summary>
    public Module Module { get; }

    /// <summary>Where the replicas run, in chunk order.</summary>
    public IReadOnlyList<Device> DeviceIds { get; }

    /// <summary>Where outputs are gathered and gradients end up.</summary>
    public Device OutputDevice { get; }

    /// <summary>Scatter, replicate, run in parallel, gather.</summary>
    public override Tensor Forward(Tensor input)
    {
        var chunks = Comm.Scatter(input, DeviceIds);
        if (chunks.Count == 1 && DeviceIds[0] == OutputDevice) return Module.Forward(chunks[0]);
        var replicas = new Module[chunks.Count];
        for (int i = 0; i < chunks.Count; i++)
        {
            var d = DeviceIds[i];
            replicas[i] = i == 0 && d == OutputDevice ? Module
                : Replicator.Replicate(Module, t => t.RequiresGrad && Autograd.IsEnabled ? t.To(d, copy: true) : Detached(t, d));
        }
        var outputs = ParallelApply(replicas, chunks);
        return Comm.Gather(outputs, OutputDevice);
    }

    private static Tensor Detached(Tensor t, Device d)
    {
        using (Tensor.NoGrad()) return t.To(d, copy: true);
    }

    /// <summary>Runs replica i on chunk i, each on its own thread (torch.nn.parallel.parallel_apply); the caller's grad mode and tensor scope carry over.</summary>
    private static Tensor[] ParallelApply(Module[] replicas, IReadOnlyList<Tensor> chunks)
    {
        bool grad = Autograd.IsEnabled;
        var scope = TensorScope.Current;
        var outputs = new Tensor[replicas.Length];
        var errors = new Exception?[replicas.Length];
        var threads = new Thread[replicas.Length];
        for (int i = 0; i < replicas.Length; i++)
        {
            int k = i;
            threads[k] = new Thread(() =>
            {
                try
                {
                    outputs[k] = TensorScope.RunTrackedBy(scope, () =>
                    {
                        if (grad) return replicas[k].Forward(chunks[k]);
                        using (Tensor.NoGrad()) return replicas[k].Forward(chunks[k]);
                    });
                }
                catch (Exception e)
                {
                    errors[k] = e;
                }
            }) { IsBackground = true, Name = $"DataParallel replica {k}" };
            threads[k].Start();
        }
        foreach (var t in threads) t.Join();
        for (int i = 0; i < errors.Length; i++)
            if (errors[i] is Exception e)
                throw new InvalidOperationException($"DataParallel: replica {i} on {chunks[i].Device} failed: {e.Message}", e);
        return outputs;
    }

    /// <inheritdoc/>
    public override string ToString() => $"DataParallel(devices=[{string.Join(", ", DeviceIds)}], output_device={OutputDevice})";
}
