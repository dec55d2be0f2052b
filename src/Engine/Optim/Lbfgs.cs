namespace Engine.Optim;

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Numerical Optimization, Algorithm 7.4 and 7.5) with a line
/// search satisfying the strong Wolfe conditions (<see cref="StrongWolfeLineSearch"/>), shaped like scipy's
/// <c>fmin_l_bfgs_b</c> without bounds, which Chollet's style-transfer notebook calls 20 times with
/// <c>maxfun=20</c>, each call starting afresh from the previous result.
/// <para>
/// The contract that notebook relies on: at most <c>maxfun</c> evaluations of f and ∇f per call (strictly:
/// scipy checks its count only when an iteration ends and can pass it by a line search's few), and the
/// best point evaluated is returned. MathNet.Numerics' L-BFGS minimiser stops on iterations and
/// tolerances but cannot bound evaluations, hence this small implementation.
/// </para>
/// <para>
/// The steps: d = −H·g by the two-loop recursion over the last m pairs (s, y) with H₀ = (sᵀy / yᵀy)·I
/// (the first step has length 1/‖g‖, as L-BFGS-B's); a strong-Wolfe line search along d (c₁ = 1e-3,
/// c₂ = 0.9, scipy's ftol/gtol); stop when max |gᵢ| ≤ pgtol or (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤
/// factr·ε (scipy's defaults 1e-5 and 1e7), or on maxiter/maxfun.
/// </para>
/// </summary>
public static class Lbfgs
{
    private const double C1 = 1e-3, C2 = 0.9;

    /// <summary>
    /// Minimises f from <paramref name="x0"/>. <paramref name="func"/> returns f(x) and ∇f(x) (a new array or
    /// one it will not touch again). Defaults are scipy's: m = 10, factr = 1e7, pgtol = 1e-5, maxfun = maxiter = 15000.
    /// </summary>
    public static LbfgsResult Minimize(Func<double[], (double Value, double[] Gradient)> func, double[] x0,
        int maxfun = 15000, int maxiter = 15000, int m = 10, double factr = 1e7, double pgtol = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(func);
        ArgumentNullException.ThrowIfNull(x0);
        if (maxfun < 1 || maxiter < 1 || m < 1)
            throw new ArgumentException($"Lbfgs.Minimize: maxfun, maxiter and m must be ≥ 1, got {maxfun}, {maxiter}, {m}.");
        var f = new CountedObjective(func, x0.Length, maxfun);
        var (x, fx, g) = ((double[])x0.Clone(), 0.0, Array.Empty<double>());
        (fx, g) = f.Evaluate(x);
        var history = new LinkedList<(double[] S, double[] Y, double Rho)>();
        int iterations = 0;
        while (true)
        {
            if (MaxAbs(g) <= pgtol) return f.Result(iterations, true, "the largest gradient entry is below pgtol");
            if (iterations >= maxiter) return f.Result(iterations, false, "reached maxiter");
            if (f.Remaining == 0) return f.Result(iterations, false, "reached maxfun");
            var d = Direction(g, history);
            double slope = Dot(g, d);
            if (!(slope < 0))
            {
                // Not a descent direction (lost curvature information): restart from steepest descent.
                history.Clear();
                d = Direction(g, history);
                slope = Dot(g, d);
            }
            double alpha0 = history.Count == 0 ? Math.Min(1.0 / Math.Sqrt(Dot(d, d)), 1e10) : 1.0;
            var step = StrongWolfeLineSearch.Search(f, x, fx, slope, d, alpha0, C1, C2);
            if (step is null)
            {
                if (f.Remaining == 0) return f.Result(iterations, false, "reached maxfun during a line search");
                if (history.Count == 0) return f.Result(iterations, false, "the line search found no lower point");
                history.Clear();
                continue;
            }
            var (xNew, fNew, gNew) = step.Value;
            var s = Sub(xNew, x);
            var y = Sub(gNew, g);
            double sy = Dot(s, y);
            if (sy > 2.2e-16 * Dot(y, y))
            {
                history.AddLast((s, y, 1.0 / sy));
                if (history.Count > m) history.RemoveFirst();
            }
            iterations++;
            double decrease = (fx - fNew) / Math.Max(Math.Max(Math.Abs(fx), Math.Abs(fNew)), 1.0);
            (x, fx, g) = (xNew, fNew, gNew);
            if (decrease <= factr * 2.220446049250313e-16)
                return f.Result(iterations, true, "the relative decrease of f is below factr·ε");
        }
    }

    /// <summary>d = −H·g by the two-loop recursion; H₀ = γI with γ = sᵀy/yᵀy of the newest pair (1 without pairs).</summary>
    private static double[] Direction(double[] g, LinkedList<(double[] S, double[] Y, double Rho)> history)
    {
        var q = (double[])g.Clone();
        var alphas = new double[history.Count];
        int i = history.Count - 1;
        for (var node = history.Last; node is not null; node = node.Previous, i--)
        {
            var (s, y, rho) = node.Value;
            alphas[i] = rho * Dot(s, q);
            Axpy(-alphas[i], y, q);
        }
        if (history.Last is { } newest)
        {
            double gamma = Dot(newest.Value.S, newest.Value.Y) / Dot(newest.Value.Y, newest.Value.Y);
            for (int k = 0; k < q.Length; k++) q[k] *= gamma;
        }
        i = 0;
        for (var node = history.First; node is not null; node = node.Next, i++)
        {
            var (s, y, rho) = node.Value;
            double beta = rho * Dot(y, q);
            Axpy(alphas[i] - beta, s, q);
        }
        for (int k = 0; k < q.Length; k++) q[k] = -q[k];
        return q;
    }

    internal static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }

    private static double[] Sub(double[] a, double[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = a[i] - b[i];
        return r;
    }

    private static double MaxAbs(double[] v)
    {
        double m = 0;
        foreach (double e in v) m = Math.Max(m, Math.Abs(e));
        return m;
    }
}
