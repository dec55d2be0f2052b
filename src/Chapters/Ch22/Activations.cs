using Engine;
using Engine.Nn;
using Engine.Vision;
using static Chapters.Ch22.Ch22Inputs;

namespace Chapters.Ch22;

/// <summary>
/// 22.1 — intermediate activations. (1) The book's small convnet (conv32-pool-conv64-pool-conv128-pool-
/// conv128-pool-flatten-dropout-dense512-dense1 on 150×150×3), built from Engine.Nn modules: its
/// parameter count (3,453,121) and the shapes of its first 8 layers for the cat photo. (2) The cat
/// through the first 8 nodes of the pretrained ResNet18 (ONNX): shapes, and one grid PNG per layer
/// (16 channels per row, each standardised, ×64 + 128, clipped). (3) A test digit through the first 8
/// modules of the 20.4.2 CNN after a short training: shapes, and grids of the image-shaped ones.
/// Writes out/22.1/*.png.
/// </summary>
public sealed class Activations : Exercise
{
    public override string Id => "22.1";
    public override IReadOnlyList<string> OptionNames => ["train", "data"];
    public override string Title => "Intermediate activations: book convnet shapes, ResNet18 and CNN activation grids";

    /// <summary>The book's cats-vs-dogs convnet; Keras fuses each conv's ReLU, here a ReLU module follows it.</summary>
    internal static Sequential BookConvnet(Generator g) => new(
        new Conv2d(3, 32, 3, generator: g), new ReLU(), new MaxPool2d(2),
        new Conv2d(32, 64, 3, generator: g), new ReLU(), new MaxPool2d(2),
        new Conv2d(64, 128, 3, generator: g), new ReLU(), new MaxPool2d(2),
        new Conv2d(128, 128, 3, generator: g), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Dropout(0.5), new Linear(6272, 512, generator: g), new ReLU(), new Linear(512, 1, generator: g), new Sigmoid());

    public override void Run(ExerciseContext ctx)
    {
        BookNet(ctx);
        ResNet(ctx);
        Cnn(ctx);
    }

    private static void BookNet(ExerciseContext ctx)
    {
        var net = BookConvnet(ctx.NewGenerator());
        net.Eval();
        ctx.Print($"Book convnet: {net.ParameterCount:N0} parameters");
        ctx.Expect("22.1 book convnet total params", "3,453,121", net.ParameterCount.ToString("N0", Inv));
        // The book's first 8 layers are the 4 conv (with their ReLU) and 4 pooling layers; shapes in Keras' NHWC order.
        string[] book = ["(1, 148, 148, 32)", "(1, 74, 74, 32)", "(1, 72, 72, 64)", "(1, 36, 36, 64)", "(1, 34, 34, 128)", "(1, 17, 17, 128)", "(1, 15, 15, 128)", "(1, 7, 7, 128)"];
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        var x = Cat(ctx, 150).To(ctx.Device) / 255.0;
        int layer = 0;
        for (int i = 0; i < 12; i++)
        {
            x = net.Layers[i].Forward(x);
            if (net.Layers[i] is ReLU or MaxPool2d)
            {
                string nhwc = Tuple([x.Dim(0), x.Dim(2), x.Dim(3), x.Dim(1)]);
                ctx.Print($"  layer {layer + 1} ({(net.Layers[i] is ReLU ? "conv2d" : "max_pooling2d")}): {nhwc}");
                ctx.Expect($"22.1 book convnet layer {layer + 1} shape", book[layer], nhwc);
                layer++;
            }
        }
    }

    private static void ResNet(ExerciseContext ctx)
    {
        var (model, prep) = ResNet18(ctx);
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        var x = prep.Forward(Cat(ctx).To(ctx.Device));
        var names = model.Nodes.Take(8).Select(n => n.Outputs[0]).ToArray();
        var acts = model.Run(x, names);
        ctx.Print("ResNet18 (ONNX) on the cat, first 8 nodes:");
        for (int i = 0; i < names.Length; i++)
        {
            var node = model.Nodes[i];
            var a = acts[names[i]];
            string file = ctx.OutFile($"resnet18_{i + 1}_{node.Name}.png");
            ImageIO.SavePng(ImageGrid.Activations(a.Cpu(), perRow: 16), file);
            ctx.Print($"  {i + 1} {node.OpType,-18} {node.Name,-22} {Tensor.ShapeString(a.Shape)} → {Path.GetFileName(file)}");
        }
        ctx.Expect("22.1 ResNet18 first activation shape", "[1, 64, 112, 112]", Tensor.ShapeString(acts[names[0]].Shape));
        ctx.Expect("22.1 ResNet18 grids written", "8", Directory.GetFiles(ctx.OutDir, "resnet18_*.png").Length.ToString(Inv), Directory.GetFiles(ctx.OutDir, "resnet18_*.png").Length >= 8);
    }

    private static void Cnn(ExerciseContext ctx)
    {
        var (model, test, _) = TrainedCnn(ctx);
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        var x = test.Images.Rows(0, 1);
        int label = test.Labels.Rows(0, 1).Cpu().To(DType.Int32).ToArray<int>()[0];
        ImageIO.SavePng((x.Cpu() * 255.0).Reshape(28, 28), ctx.OutFile("digit_input.png"));
        ctx.Print($"20.4.2 CNN on test digit 0 (label {label}), its 8 modules:");
        int grids = 0;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            x = model.Layers[i].Forward(x);
            string note = "";
            if (x.Rank == 4)
            {
                string file = ctx.OutFile($"cnn_{i + 1}_{model.Layers[i].GetType().Name}.png");
                ImageIO.SavePng(ImageGrid.Activations(x.Cpu(), perRow: 16), file);
                note = " → " + Path.GetFileName(file);
                grids++;
            }
            ctx.Print($"  {i + 1} {model.Layers[i].GetType().Name,-10} {Tensor.ShapeString(x.Shape)}{note}");
        }
        ctx.Expect("22.1 CNN activation grids written (image-shaped layers)", "6", grids.ToString(Inv));
        test.Dispose();
    }
}
