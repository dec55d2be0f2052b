namespace Engine.Optim;

/// <summary>
/// The objective of one <see cref="Lbfgs.Minimize"/> call: counts evaluations against maxfun, checks each
/// value and gradient, and remembers the best point evaluated (what the call returns).
/// </summary>
internal sealed class CountedObjective(Func<double[], (double Value, double[] Gradient)> func, int n, int maxfun)
{
    private double[] _bestX = [];
    private double[] _bestG = [];
    private double _bestF = double.PositiveInfinity;

    public int Evaluations { get; private set; }

    public int Remaining => maxfun - Evaluations;

    /// <summary>f(x) and ∇f(x); throws when the budget is spent, a gradient has the wrong length, or a value is not finite.</summary>
    public (double F, double[] G) Evaluate(double[] x)
    {
        if (Remaining <= 0) throw new InvalidOperationException($"Lbfgs: the objective was asked for evaluation {Evaluations + 1} of maxfun {maxfun}.");
        Evaluations++;
        var (f, g) = func(x);
        if (g is null || g.Length != n)
            throw new ArgumentException($"Lbfgs: the objective returned a gradient of length {g?.Length ?? 0} for a point of length {n}.");
        if (double.IsNaN(f) || double.IsNegativeInfinity(f) || Array.Exists(g, v => !double.IsFinite(v)))
            throw new ArithmeticException($"Lbfgs: evaluation {Evaluations} gave f = {f} or a non-finite gradient entry.");
        if (f < _bestF || _bestX.Length == 0)
        {
            _bestF = f;
            _bestX = (double[])x.Clone();
            _bestG = (double[])g.Clone();
        }
        return (f, g);
    }

    public LbfgsResult Result(int iterations, bool converged, string message) =>
        new(_bestX, _bestF, _bestG, Evaluations, iterations, converged, message);
}
