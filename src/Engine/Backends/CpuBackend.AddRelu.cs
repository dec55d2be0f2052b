using System.Numerics;

namespace Engine;

// y = max(0, a + b) in one pass over same-shaped tensors: a residual block's Add and the Relu after it (ONNX
// inference fuses them when nothing records a graph). The same addition and comparison as the Add op followed by
// the Relu op, so the bits are the same; a vector at a time, the elements split over the worker threads.
public sealed partial class CpuBackend
{
    /// <summary>y = max(0, a + b) elementwise (0 where the sum is ≤ 0, NaN stays NaN) for a, b, y of one size and float type; y may be a or b.</summary>
    internal void AddRelu(Tensor a, Tensor b, Tensor y) => Dispatch(a, "AddRelu", new AddReluCall(a, b, y));

    private readonly record struct AddReluCall(Tensor A, Tensor B, Tensor Y) : IFloatOp
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (A.Size != Y.Size || B.Size != Y.Size || A.DType != Y.DType || B.DType != Y.DType)
                throw new ArgumentException($"AddRelu: expected a, b and y of one size and type, got {Tensor.ShapeString(A.Shape)} {A.DType.Name()}, {Tensor.ShapeString(B.Shape)} {B.DType.Name()} and {Tensor.ShapeString(Y.Shape)} {Y.DType.Name()}.");
            MapAllBinary<T, AddReluFn<T>>(Data<T>(A), Data<T>(B), Data<T>(Y));
        }
    }

    private struct AddReluFn<T> : IBinaryFn<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static T Scalar(T a, T b) => ReluFn<T>.Scalar(a + b);
        public static Vector<T> Vector(Vector<T> a, Vector<T> b) => ReluFn<T>.Vector(a + b);
    }
}
