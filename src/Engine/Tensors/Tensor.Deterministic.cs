namespace Engine;

public sealed partial class Tensor
{
    private static volatile bool _deterministic;

    /// <summary>
    /// torch.use_deterministic_algorithms: when true, the ops whose CUDA kernels add with float atomics
    /// (IndexAdd, MaxPool2dBackward) take a path without atomics that adds in a fixed order (the CPU
    /// twin's), so a GPU run gives the same bits every time, at some cost in speed. Off by default.
    /// The CPU backends are deterministic either way. See docs/gpu.md, "Determinism".
    /// </summary>
    public static void UseDeterministicAlgorithms(bool mode) => _deterministic = mode;

    /// <summary>torch.are_deterministic_algorithms_enabled: the mode set by <see cref="UseDeterministicAlgorithms"/>.</summary>
    public static bool AreDeterministicAlgorithmsEnabled => _deterministic;
}
