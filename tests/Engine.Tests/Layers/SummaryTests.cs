using System.Text.RegularExpressions;
using Engine.Layers;
using NUnit.Framework;

namespace Engine.Tests.Layers;

/// <summary>Summary() prints Keras 2's table (the layout of the book's tables) with Keras's numbers.</summary>
public class SummaryTests
{
    /// <summary>The 21.4.6 convnet of the book (TensorFlow.js MNIST tutorial).</summary>
    internal static Sequential BookConvnet()
    {
        var m = new Sequential();
        m.Add(new Conv2D(filters: 8, kernelSize: 5, strides: 1, activation: "relu", kernelInitializer: new VarianceScaling(), inputShape: [28, 28, 1]));
        m.Add(new MaxPooling2D(poolSize: new[] { 2, 2 }, strides: new[] { 2, 2 }));
        m.Add(new Conv2D(filters: 16, kernelSize: 5, strides: 1, activation: "relu", kernelInitializer: new VarianceScaling()));
        m.Add(new MaxPooling2D(poolSize: (2, 2), strides: (2, 2)));
        m.Add(new Flatten());
        m.Add(new Dense(units: 10, activation: "softmax", kernelInitializer: new VarianceScaling()));
        return m;
    }

    [Test]
    public void TheBookConvnetOf2146PrintsKerasTable()
    {
        // Each row as Keras's print_row lays it out: name to column 29, shape to 55, params to 65.
        static string R(string a, string b, string c) => a.PadRight(28) + " " + b.PadRight(25) + " " + c.PadRight(10);
        string u = new('_', 65), e = new('=', 65);
        string expected = string.Join("\n", new[]
        {
            u,
            R("Layer (type)", "Output Shape", "Param #"),
            e,
            R("conv2d_1 (Conv2D)", "(None, 24, 24, 8)", "208"), u,
            R("max_pooling2d_1 (MaxPooling2", "(None, 12, 12, 8)", "0"), u,
            R("conv2d_2 (Conv2D)", "(None, 8, 8, 16)", "3216"), u,
            R("max_pooling2d_2 (MaxPooling2", "(None, 4, 4, 16)", "0"), u,
            R("flatten_1 (Flatten)", "(None, 256)", "0"), u,
            R("dense_1 (Dense)", "(None, 10)", "2570"), e,
            "Total params: 5,994",
            "Trainable params: 5,994",
            "Non-trainable params: 0",
            u,
        }) + "\n";
        var lines = new List<string>();
        string text = BookConvnet().Summary(printFn: lines.Add);
        Assert.That(text, Is.EqualTo(expected));
        Assert.That(string.Join("\n", lines) + "\n", Is.EqualTo(expected));
        Assert.That(lines.Where(l => l.Length > 0 && l[0] != 'T' && l[0] != 'N').All(l => l.Length == 65), Is.True);
    }

    /// <summary>The 22.1 convnet (Chollet 5.2) with the book's layer names.</summary>
    internal static Sequential Convnet221()
    {
        var m = new Sequential();
        m.Add(new Conv2D(32, 3, activation: "relu", inputShape: [150, 150, 3], name: "conv2d_13"));
        m.Add(new MaxPooling2D((2, 2), name: "max_pooling2d_13"));
        m.Add(new Conv2D(64, 3, activation: "relu", name: "conv2d_14"));
        m.Add(new MaxPooling2D((2, 2), name: "max_pooling2d_14"));
        m.Add(new Conv2D(128, 3, activation: "relu", name: "conv2d_15"));
        m.Add(new MaxPooling2D((2, 2), name: "max_pooling2d_15"));
        m.Add(new Conv2D(128, 3, activation: "relu", name: "conv2d_16"));
        m.Add(new MaxPooling2D((2, 2), name: "max_pooling2d_16"));
        m.Add(new Flatten(name: "flatten_5"));
        m.Add(new Dropout(0.5, name: "dropout_5"));
        m.Add(new Dense(512, activation: "relu", name: "dense_13"));
        m.Add(new Dense(1, activation: "sigmoid", name: "dense_14"));
        return m;
    }

    [Test]
    public void The221ConvnetMatchesTheBooksTableWordForWord()
    {
        string text = Convnet221().Summary(printFn: _ => { });
        Assert.That(text, Does.Contain("Total params: 3,453,121\n"));
        Assert.That(text, Does.Contain("max_pooling2d_13 (MaxPooling (None, 74, 74, 32)        0         \n"));
        // The book's text (chapters-20-25.zh.txt, 22.1) lost its runs of spaces; compare with them collapsed.
        string book = string.Join("\n", BookTable221) + "\n";
        string collapsed = string.Join("\n", text.Split('\n').Select(l => Regex.Replace(l, " +", " ").TrimEnd()));
        Assert.That(collapsed, Is.EqualTo(book));
    }

    private static readonly string[] BookTable221 =
    [
        "_________________________________________________________________",
        "Layer (type) Output Shape Param #",
        "=================================================================",
        "conv2d_13 (Conv2D) (None, 148, 148, 32) 896",
        "_________________________________________________________________",
        "max_pooling2d_13 (MaxPooling (None, 74, 74, 32) 0",
        "_________________________________________________________________",
        "conv2d_14 (Conv2D) (None, 72, 72, 64) 18496",
        "_________________________________________________________________",
        "max_pooling2d_14 (MaxPooling (None, 36, 36, 64) 0",
        "_________________________________________________________________",
        "conv2d_15 (Conv2D) (None, 34, 34, 128) 73856",
        "_________________________________________________________________",
        "max_pooling2d_15 (MaxPooling (None, 17, 17, 128) 0",
        "_________________________________________________________________",
        "conv2d_16 (Conv2D) (None, 15, 15, 128) 147584",
        "_________________________________________________________________",
        "max_pooling2d_16 (MaxPooling (None, 7, 7, 128) 0",
        "_________________________________________________________________",
        "flatten_5 (Flatten) (None, 6272) 0",
        "_________________________________________________________________",
        "dropout_5 (Dropout) (None, 6272) 0",
        "_________________________________________________________________",
        "dense_13 (Dense) (None, 512) 3211776",
        "_________________________________________________________________",
        "dense_14 (Dense) (None, 1) 513",
        "=================================================================",
        "Total params: 3,453,121",
        "Trainable params: 3,453,121",
        "Non-trainable params: 0",
        "_________________________________________________________________",
    ];

    [Test]
    public void FrozenLayersAndBatchNormCountAsNonTrainable()
    {
        var m = new Sequential();
        m.Add(new Dense(4, inputShape: [3]));
        m.Add(new BatchNormalization());
        m.Add(new Dense(2));
        m.GetLayer("dense_1").Trainable = false;
        string text = m.Summary(printFn: _ => { });
        // dense_1 16 (frozen) + BN 16 (8 moving, not trainable) + dense_2 10.
        Assert.That(text, Does.Contain("Total params: 42\nTrainable params: 18\nNon-trainable params: 24\n"));
        Assert.That(text, Does.Contain("batch_normalization_1 (Batch (None, 4)"));
    }

    [Test]
    public void AnUnbuiltModelSaysSo()
    {
        var m = new Sequential();
        m.Add(new Dense(3));
        var ex = Assert.Throws<InvalidOperationException>(() => m.Summary(printFn: _ => { }));
        Assert.That(ex!.Message, Does.Contain("not yet been built"));
    }
}
