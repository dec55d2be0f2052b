using Engine;

namespace Chapters.Ch21;

/// <summary>
/// 21.4.2 — tensors: a tensor with shape [2, 4] from 8 values, a tensor whose shape is inferred from
/// nested data, its shape, zeros([2, 3]), Scalar and tensors of rank 1–4; tensors are values (an op
/// returns a new tensor and leaves its input unchanged).
/// </summary>
public sealed class Ex21_4_2_Tensors : Exercise
{
    public override string Id => "21.4.2";
    public override string Title => "Tensors: shapes given or inferred, zeros, scalar, rank 1–4; ops return new tensors";

    public override void Run(ExerciseContext ctx)
    {
        var d = ctx.Device;
        using var scope = Tensor.Scope();
        var a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 4], d);
        ctx.Print($"tensor([1..8], [2, 4]) = {TensorText.Of(a)}  shape {Tensor.ShapeString(a.Shape)}");
        ctx.Expect("tensor with shape [2, 4]", "[[1, 2, 3, 4], [5, 6, 7, 8]]", TensorText.Of(a));
        var input = Tensor.FromArray(new float[] { 2, 3 }, device: d);
        ctx.Print($"tensor([2, 3]).shape = {Tensor.ShapeString(input.Shape)}");
        ctx.Expect("inferred shape of [2, 3]", "[2]", Tensor.ShapeString(input.Shape));
        var inferred = Tensor.From(new float[,] { { 1, 2 }, { 3, 4 } }, d);
        ctx.Expect("inferred shape of [[1, 2], [3, 4]]", "[2, 2]", Tensor.ShapeString(inferred.Shape));
        var zeros = Tensor.Zeros([2, 3], device: d);
        ctx.Print($"zeros([2, 3]) = {TensorText.Of(zeros)}");
        ctx.Expect("zeros([2, 3])", "[[0, 0, 0], [0, 0, 0]]", TensorText.Of(zeros));
        var scalar = Tensor.Scalar(3.14, device: d);
        ctx.Print($"scalar(3.14) = {TensorText.Of(scalar)}  rank {scalar.Rank}");
        ctx.Expect("scalar rank", "0", scalar.Rank.ToString());
        var t1 = Tensor.FromArray(new float[] { 1, 2, 3 }, device: d);
        var t2 = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, [2, 2], d);
        var t3 = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [2, 2, 2], d);
        var t4 = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2], d);
        foreach (var (name, t) in new[] { ("tensor1d", t1), ("tensor2d", t2), ("tensor3d", t3), ("tensor4d", t4) })
            ctx.Print($"{name}: rank {t.Rank}, shape {Tensor.ShapeString(t.Shape)}, {TensorText.Of(t)}");
        ctx.Expect("ranks of tensor1d..4d", "1 2 3 4", $"{t1.Rank} {t2.Rank} {t3.Rank} {t4.Rank}");
        var before = TensorText.Of(t2);
        var sum = t2 + t2;
        ctx.Print($"t2 + t2 = {TensorText.Of(sum)}; t2 is still {TensorText.Of(t2)}");
        ctx.Expect("an op returns a new tensor; its input is unchanged", before, TensorText.Of(t2), !ReferenceEquals(sum, t2) && before == TensorText.Of(t2));
    }
}
