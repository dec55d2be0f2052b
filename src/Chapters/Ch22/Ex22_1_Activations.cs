using Engine;
using Engine.Nn;
using Engine.Vision;
using L = Engine.Layers;
using static Chapters.Ch22.Ch22Inputs;

namespace Chapters.Ch22;

/// <summary>
/// 22.1 — intermediate activations. (1) The book's small convnet (conv32-pool-conv64-pool-conv128-pool-
/// conv128-pool-flatten-dropout-dense512-dense1 on 150×150×3) in the Keras-style layers API: its
/// Summary() as Keras prints it (Total params: 3,453,121) and the shapes of its first 8 layers for the cat photo. (2) The cat
/// through the first 8 nodes of the pretrained ResNet18 (ONNX): shapes, and one grid PNG per layer
/// (16 channels per row, each standardised, ×64 + 128, clipped). (3) A test digit through the first 8
/// modules of the 20.4.2 CNN after a short training: shapes, and grids of the image-shaped ones.
/// Writes out/22.1/*.png.
/// </summary>
public sealed class Ex22_1_Activations : Exercise
{
    public override string Id => "22.1";
    public override IReadOnlyList<string> OptionNames => ["train", "data"];
    public override string Title => "Intermediate activations: book convnet shapes, ResNet18 and CNN activation grids";

    /// <summary>The book's cats-vs-dogs convnet (Chollet 5.2) in the Keras-style layers API, channels-last, with the book's layer names.</summary>
    internal static L.Sequential BookConvnet(ulong seed)
    {
        var m = new L.Sequential(seed: seed);
        m.Add(new L.Conv2D(32, 3, activation: "relu", inputShape: [150, 150, 3], name: "conv2d_13"));
        m.Add(new L.MaxPooling2D((2, 2), name: "max_pooling2d_13"));
        m.Add(new L.Conv2D(64, 3, activation: "relu", name: "conv2d_14"));
        m.Add(new L.MaxPooling2D((2, 2), name: "max_pooling2d_14"));
        m.Add(new L.Conv2D(128, 3, activation: "relu", name: "conv2d_15"));
        m.Add(new L.MaxPooling2D((2, 2), name: "max_pooling2d_15"));
        m.Add(new L.Conv2D(128, 3, activation: "relu", name: "conv2d_16"));
        m.Add(new L.MaxPooling2D((2, 2), name: "max_pooling2d_16"));
        m.Add(new L.Flatten(name: "flatten_5"));
        m.Add(new L.Dropout(0.5, name: "dropout_5"));
        m.Add(new L.Dense(512, activation: "relu", name: "dense_13"));
        m.Add(new L.Dense(1, activation: "sigmoid", name: "dense_14"));
        return m;
    }

    public override void Run(ExerciseContext ctx)
    {
        BookNet(ctx);
        ResNet(ctx);
        Cnn(ctx);
    }

    private static void BookNet(ExerciseContext ctx)
    {
        var net = BookConvnet(ctx.Seed).To(ctx.Device);
        long total = 0;
        net.Summary(printFn: line =>
        {
            ctx.Print(line);
            if (line.StartsWith("Total params: ", StringComparison.Ordinal)) total = long.Parse(line[14..].Replace(",", ""), Inv);
        });
        ctx.Expect("22.1 book convnet total params", "3,453,121", total.ToString("N0", Inv));
        // The book's first 8 layers: the 4 conv layers (ReLU fused, as Keras) and the 4 pooling layers, NHWC.
        string[] book = ["(1, 148, 148, 32)", "(1, 74, 74, 32)", "(1, 72, 72, 64)", "(1, 36, 36, 64)", "(1, 34, 34, 128)", "(1, 17, 17, 128)", "(1, 15, 15, 128)", "(1, 7, 7, 128)"];
        using var scope = Tensor.Scope();
        using var noGrad = Tensor.NoGrad();
        var x = (Cat(ctx, 150).To(ctx.Device) / 255.0).Permute(0, 2, 3, 1);
        for (int i = 0; i < 8; i++)
        {
            x = net.Layers[i].Call(x);
            string shape = Tuple(x.Shape);
            ctx.Print($"  layer {i + 1} ({net.Layers[i].Name}): {shape}");
            ctx.Expect($"22.1 book convnet layer {i + 1} shape", book[i], shape);
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
