namespace Chapters;

/// <summary>`chapters devices`: CPU and GPUs present.</summary>
public sealed class DevicesCommand : Command
{
    public override string Name => "devices";
    public override string Usage => "devices";
    public override string Summary => "Prints the CPU (cores, SIMD width) and every CUDA GPU as nvidia-smi would, or why there is none. Always exits 0.";
    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options) => Devices.Print();
}
