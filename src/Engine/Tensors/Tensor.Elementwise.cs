namespace Engine;

public sealed partial class Tensor
{
    /// <summary>Op names for argument checks and graph nodes, looked up by value (Enum.ToString on every op costs more).</summary>
    private static readonly string[] UnaryNames = Enum.GetNames<UnaryOp>(), BinaryNames = Enum.GetNames<BinaryOp>();

    // ---- unary ----------------------------------------------------------------------------

    private Tensor UnaryOp(UnaryOp op, Func<Tensor, Tensor, Tensor>? grad)
    {
        string name = UnaryNames[(int)op];
        CheckFloat(name);
        var y = new Tensor(Backend.Allocate(DType, Size), (int[])_shape.Clone());
        Backend.Unary(op, this, y);
        return grad is null || !Autograd.Records(this) ? y : RecordUnary(name, y, grad);
    }

    /// <summary>y = op(this) in the graph, dx = grad(g, y).</summary>
    private Tensor RecordUnary(string name, Tensor y, Func<Tensor, Tensor, Tensor> grad) => Autograd.Record(y, name, [this], g => [grad(g, y)]);

    /// <summary>−x</summary>
    public Tensor Neg() => UnaryOp(Engine.UnaryOp.Neg, (g, _) => g.Neg());
    /// <summary>e^x</summary>
    public Tensor Exp() => UnaryOp(Engine.UnaryOp.Exp, (g, y) => g * y);
    /// <summary>ln x</summary>
    public Tensor Log() => UnaryOp(Engine.UnaryOp.Log, (g, _) => g / this);
    /// <summary>√x</summary>
    public Tensor Sqrt() => UnaryOp(Engine.UnaryOp.Sqrt, (g, y) => g / (y * 2));
    /// <summary>|x|</summary>
    public Tensor Abs() => UnaryOp(Engine.UnaryOp.Abs, (g, _) => g * Sign());
    /// <summary>x²</summary>
    public Tensor Square() => UnaryOp(Engine.UnaryOp.Square, (g, _) => g * this * 2);
    /// <summary>sign(x) (no gradient)</summary>
    public Tensor Sign() => UnaryOp(Engine.UnaryOp.Sign, null);

    /// <summary>max(x, 0)</summary>
    public Tensor Relu() => UnaryOp(Engine.UnaryOp.Relu, (g, _) =>
    {
        var dx = ZerosLike(g);
        Backend.ReluBackward(this, g, dx);
        return dx;
    });

    /// <summary>1/(1+e^−x)</summary>
    public Tensor Sigmoid() => UnaryOp(Engine.UnaryOp.Sigmoid, (g, y) =>
    {
        var dx = ZerosLike(g);
        Backend.SigmoidBackward(y, g, dx);
        return dx;
    });

    /// <summary>tanh x</summary>
    public Tensor Tanh() => UnaryOp(Engine.UnaryOp.Tanh, (g, y) =>
    {
        var dx = ZerosLike(g);
        Backend.TanhBackward(y, g, dx);
        return dx;
    });

    /// <summary>x^p for a constant exponent.</summary>
    public Tensor Pow(double p)
    {
        var y = Scalar(BinaryOp.Pow, p, false);
        return Autograd.Record(y, "Pow", [this], g => [g * Pow(p - 1) * p]);
    }

    /// <summary>Clamps to [min, max] (gradient passes where not clamped).</summary>
    public Tensor Clamp(double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        Tensor y;
        using (NoGrad())
        {
            using var lo = Scalar(BinaryOp.Maximum, min, false);
            y = lo.Scalar(BinaryOp.Minimum, max, false);
        }
        return Autograd.Record(y, "Clamp", [this], g =>
        {
            using var inside = Scalar(BinaryOp.Greater, min, false);
            using var notAbove = Scalar(BinaryOp.Greater, max, true);
            return [g * inside * notAbove];
        });
    }

    // ---- binary with broadcasting ---------------------------------------------------------

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        string name = BinaryNames[(int)op];
        CheckSameKind(name, a, b);
        a.CheckFloat(name);
        var shape = BroadcastShape(name, a._shape, b._shape);
        var y = new Tensor(a.Backend.Allocate(a.DType, CheckedSize(name, shape)), shape);
        a.Backend.Binary(op, a, b, y);
        return Autograd.Records(a, b) ? RecordBinary(op, name, a, b, y) : y;
    }

    /// <summary>y = a op b in the graph: each input's gradient summed back to its own shape (comparisons have none).</summary>
    private static Tensor RecordBinary(BinaryOp op, string name, Tensor a, Tensor b, Tensor y)
    {
        Func<Tensor, Tensor?[]>? backward = op switch
        {
            Engine.BinaryOp.Add => g => [g.SumTo(a._shape), g.SumTo(b._shape)],
            Engine.BinaryOp.Sub => g => [g.SumTo(a._shape), g.Neg().SumTo(b._shape)],
            Engine.BinaryOp.Mul => g => [(g * b).SumTo(a._shape), (g * a).SumTo(b._shape)],
            Engine.BinaryOp.Div => g => [(g / b).SumTo(a._shape), (g * a / (b * b)).Neg().SumTo(b._shape)],
            Engine.BinaryOp.Pow => g => [(g * b * (a ^ (b - 1))).SumTo(a._shape), (g * y * a.Log()).SumTo(b._shape)],
            Engine.BinaryOp.Maximum => g => [(g * Binary(Engine.BinaryOp.Equal, y, a)).SumTo(a._shape), (g * Binary(Engine.BinaryOp.Equal, y, b)).SumTo(b._shape)],
            Engine.BinaryOp.Minimum => g => [(g * Binary(Engine.BinaryOp.Equal, y, a)).SumTo(a._shape), (g * Binary(Engine.BinaryOp.Equal, y, b)).SumTo(b._shape)],
            _ => null,
        };
        return backward is null ? y : Autograd.Record(y, name, [a, b], backward);
    }

    private Tensor Scalar(BinaryOp op, double s, bool scalarFirst)
    {
        CheckFloat(BinaryNames[(int)op]);
        var y = new Tensor(Backend.Allocate(DType, Size), (int[])_shape.Clone());
        Backend.BinaryScalar(op, this, s, y, scalarFirst);
        return y;
    }

    /// <summary>a + b (broadcasting).</summary>
    public Tensor Add(Tensor other) => Binary(BinaryOp.Add, this, other);
    /// <summary>a − b (broadcasting).</summary>
    public Tensor Sub(Tensor other) => Binary(BinaryOp.Sub, this, other);
    /// <summary>a · b elementwise (broadcasting).</summary>
    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, this, other);
    /// <summary>a / b elementwise (broadcasting).</summary>
    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, this, other);
    /// <summary>max(a, b) elementwise.</summary>
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, this, other);
    /// <summary>min(a, b) elementwise.</summary>
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, this, other);
    /// <summary>1 where a &gt; b else 0 (no gradient).</summary>
    public Tensor Greater(Tensor other) => Binary(BinaryOp.Greater, this, other);
    /// <summary>1 where a == b else 0 (no gradient).</summary>
    public Tensor Equal(Tensor other) => Binary(BinaryOp.Equal, this, other);

    /// <summary>a + s</summary>
    public Tensor Add(double s) => Autograd.Record(Scalar(BinaryOp.Add, s, false), "AddScalar", [this], g => [g]);
    /// <summary>a · s</summary>
    public Tensor Mul(double s) => Autograd.Record(Scalar(BinaryOp.Mul, s, false), "MulScalar", [this], g => [g * s]);
    /// <summary>s − a</summary>
    public Tensor RSub(double s) => Autograd.Record(Scalar(BinaryOp.Sub, s, true), "RSubScalar", [this], g => [g.Neg()]);
    /// <summary>s / a</summary>
    public Tensor RDiv(double s) => Autograd.Record(Scalar(BinaryOp.Div, s, true), "RDivScalar", [this], g => [(g * s / (this * this)).Neg()]);
    /// <summary>1 where a &gt; s else 0 (no gradient).</summary>
    public Tensor Greater(double s) => Scalar(BinaryOp.Greater, s, false);

    /// <summary>a + b</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>a − b</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>a · b (elementwise; MatMul is <see cref="MatMul"/>)</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>a / b</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>a ^ b elementwise power</summary>
    public static Tensor operator ^(Tensor a, Tensor b) => Binary(BinaryOp.Pow, a, b);
    /// <summary>−a</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>a + s</summary>
    public static Tensor operator +(Tensor a, double s) => a.Add(s);
    /// <summary>s + a</summary>
    public static Tensor operator +(double s, Tensor a) => a.Add(s);
    /// <summary>a − s</summary>
    public static Tensor operator -(Tensor a, double s) => a.Add(-s);
    /// <summary>s − a</summary>
    public static Tensor operator -(double s, Tensor a) => a.RSub(s);
    /// <summary>a · s</summary>
    public static Tensor operator *(Tensor a, double s) => a.Mul(s);
    /// <summary>s · a</summary>
    public static Tensor operator *(double s, Tensor a) => a.Mul(s);
    /// <summary>a / s</summary>
    public static Tensor operator /(Tensor a, double s) => a.Mul(1.0 / s);
    /// <summary>s / a</summary>
    public static Tensor operator /(double s, Tensor a) => a.RDiv(s);

    // ---- in place (no graph; for updates under NoGrad) -------------------------------------

    private void CheckInPlace(string op)
    {
        CheckAlive(op);
        if (Autograd.IsEnabled && RequiresGrad)
            throw new InvalidOperationException($"{op}: a tensor that requires grad is being used in an in-place operation; wrap the update in Tensor.NoGrad().");
        Storage.Written();
    }

    private Tensor InPlace(BinaryOp op, Tensor other)
    {
        string name = op + "InPlace";
        CheckInPlace(name);
        CheckSameKind(name, this, other);
        CheckFloat(name);
        var shape = BroadcastShape(name, _shape, other._shape);
        if (!shape.AsSpan().SequenceEqual(_shape))
            throw new ArgumentException($"{name}: the result shape {ShapeString(shape)} differs from this tensor's shape {ShapeString(_shape)}.");
        Backend.Binary(op, this, other, this);
        return this;
    }

    /// <summary>this += other (broadcast into this shape).</summary>
    public Tensor AddInPlace(Tensor other) => InPlace(BinaryOp.Add, other);
    /// <summary>this −= other.</summary>
    public Tensor SubInPlace(Tensor other) => InPlace(BinaryOp.Sub, other);
    /// <summary>this *= other.</summary>
    public Tensor MulInPlace(Tensor other) => InPlace(BinaryOp.Mul, other);

    /// <summary>this *= s.</summary>
    public Tensor MulInPlace(double s)
    {
        CheckFloat("MulInPlace");
        CheckInPlace("MulInPlace");
        Backend.BinaryScalar(BinaryOp.Mul, this, s, this);
        return this;
    }

    /// <summary>this += s.</summary>
    public Tensor AddInPlace(double s)
    {
        CheckFloat("AddInPlace");
        CheckInPlace("AddInPlace");
        Backend.BinaryScalar(BinaryOp.Add, this, s, this);
        return this;
    }

    /// <summary>Every element = value.</summary>
    public Tensor FillInPlace(double value)
    {
        CheckAlive("FillInPlace");
        CheckInPlace("FillInPlace");
        Backend.Fill(this, value);
        return this;
    }

    /// <summary>Copies other's values into this tensor (same shape and dtype; any device).</summary>
    public Tensor CopyFrom(Tensor other)
    {
        CheckAlive("CopyFrom");
        other.CheckAlive("CopyFrom");
        CheckInPlace("CopyFrom");
        if (Size != other.Size) throw new ArgumentException($"CopyFrom: this tensor has shape {ShapeString(_shape)} but the source has {ShapeString(other._shape)}.");
        if (DType != other.DType) throw new InvalidOperationException($"CopyFrom: dtype {other.DType.Name()} into {DType.Name()}; convert with To() first.");
        if (other.Device == Device) Backend.Copy(other, this);
        else
        {
            using var moved = other.To(Device);
            Backend.Copy(moved, this);
        }
        return this;
    }
}
