using Engine.Nn;

namespace Engine.Hostile;

/// <summary>
/// Saves checkpoints to one path forever, as a training loop does: generation g (from <c>start</c> + 1 on) holds a
/// Linear layer whose every weight and bias equals g, written with <see cref="Module.Save"/> (atomic). Prints "saved g" after each save,
/// so the test that kills this process knows the last generation that was complete.
/// </summary>
public static class SaveLoop
{
    public static void Run(string path, int elements, long start)
    {
        int inFeatures = Math.Max(1, elements / 64);
        var model = new Linear(inFeatures, 64, bias: true);
        for (long g = start + 1; ; g++)
        {
            using (Tensor.NoGrad())
                foreach (var p in model.Parameters()) p.FillInPlace(g);
            model.Save(path);
            Console.Out.WriteLine($"saved {g}");
            Console.Out.Flush();
        }
    }
}
