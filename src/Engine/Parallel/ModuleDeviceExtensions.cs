namespace Engine.Nn;

/// <summary>model.Cuda() / model.Cpu(), as in PyTorch (both move in place and return the module).</summary>
public static class ModuleDeviceExtensions
{
    /// <summary>Moves every parameter and buffer to cuda:<paramref name="index"/>.</summary>
    public static T Cuda<T>(this T module, int index = 0) where T : Module
    {
        module.To(Device.Cuda(index));
        return module;
    }

    /// <summary>Moves every parameter and buffer to the host.</summary>
    public static T Cpu<T>(this T module) where T : Module
    {
        module.To(Device.Cpu);
        return module;
    }
}
