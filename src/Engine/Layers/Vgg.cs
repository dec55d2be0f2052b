namespace Engine.Layers;

/// <summary>
/// keras.applications.VGG16 and VGG19 as layer stacks with Keras's layer names (block1_conv1 …
/// block5_pool, then flatten, fc1, fc2, predictions with the top), 3×3 "same" convolutions with ReLU and
/// 2×2 max-pooling, channels-last input (default 224×224×3), float32 unless <c>dtype</c> says otherwise. Load Keras's pretrained files with
/// <see cref="KerasH5.LoadWeights"/> (vgg16_weights_tf_dim_ordering_tf_kernels.h5, …_notop.h5, and the VGG19 ones).
/// Summary lists input_1 (InputLayer) as Keras does for these functional models.
/// </summary>
public static class Vgg
{
    /// <summary>VGG16: 13 conv layers (138,357,544 parameters with the top, 14,714,688 without).</summary>
    public static Sequential Vgg16(bool includeTop = true, int[]? inputShape = null, int classes = 1000, Initializer? kernelInitializer = null, ulong seed = 0, DType dtype = DType.Float32) =>
        Build("vgg16", [2, 2, 3, 3, 3], includeTop, inputShape, classes, kernelInitializer, seed, dtype);

    /// <summary>VGG19: 16 conv layers (143,667,240 parameters with the top, 20,024,384 without).</summary>
    public static Sequential Vgg19(bool includeTop = true, int[]? inputShape = null, int classes = 1000, Initializer? kernelInitializer = null, ulong seed = 0, DType dtype = DType.Float32) =>
        Build("vgg19", [2, 2, 4, 4, 4], includeTop, inputShape, classes, kernelInitializer, seed, dtype);

    private static Sequential Build(string name, int[] convsPerBlock, bool includeTop, int[]? inputShape, int classes, Initializer? init, ulong seed, DType dtype)
    {
        var shape = inputShape ?? [224, 224, 3];
        if (includeTop && !shape.SequenceEqual(new[] { 224, 224, 3 }))
            throw new ArgumentException($"{name}: with the top (fully connected) layers the input must be [224, 224, 3], got {Tensor.ShapeString(shape)}.");
        var m = new Sequential(name, seed, dtype) { ShowInputLayer = true };
        m.Add(new InputLayer(shape, name: "input_1"));
        int[] filters = [64, 128, 256, 512, 512];
        for (int b = 0; b < 5; b++)
        {
            for (int c = 0; c < convsPerBlock[b]; c++)
                m.Add(new Conv2D(filters[b], 3, padding: "same", activation: "relu", kernelInitializer: init, name: $"block{b + 1}_conv{c + 1}"));
            m.Add(new MaxPooling2D((2, 2), strides: (2, 2), name: $"block{b + 1}_pool"));
        }
        if (includeTop)
        {
            m.Add(new Flatten(name: "flatten"));
            m.Add(new Dense(4096, activation: "relu", kernelInitializer: init, name: "fc1"));
            m.Add(new Dense(4096, activation: "relu", kernelInitializer: init, name: "fc2"));
            m.Add(new Dense(classes, activation: "softmax", kernelInitializer: init, name: "predictions"));
        }
        return m;
    }
}
