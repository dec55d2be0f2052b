namespace Engine.Optim;

/// <summary>
/// A line search for φ(α) = f(x + α·d) that returns a step satisfying the strong Wolfe conditions
/// φ(α) ≤ φ(0) + c₁·α·φ'(0) and |φ'(α)| ≤ c₂·|φ'(0)| (Nocedal &amp; Wright, Algorithms 3.5 and 3.6):
/// grow α until the interval [α_prev, α] brackets such a step, then shrink the bracket by safeguarded cubic
/// interpolation ("zoom"). Every trial costs one evaluation of the objective's budget.
/// </summary>
internal static class StrongWolfeLineSearch
{
    private const int MaxTrials = 40;

    private readonly record struct Trial(double Alpha, double F, double Slope, double[] X, double[] G);

    /// <summary>
    /// The accepted point (x + α·d, f, ∇f), or null when the budget ran out or no acceptable step was
    /// found in <see cref="MaxTrials"/> trials (the objective still remembers the best point it saw).
    /// </summary>
    public static (double[] X, double F, double[] G)? Search(CountedObjective f, double[] x, double f0, double slope0,
        double[] d, double alpha, double c1, double c2)
    {
        var previous = new Trial(0, f0, slope0, x, []);
        for (int i = 0; i < MaxTrials && f.Remaining > 0; i++)
        {
            var t = Evaluate(f, x, d, alpha);
            if (t.F > f0 + c1 * alpha * slope0 || (i > 0 && t.F >= previous.F))
                return Zoom(f, x, d, f0, slope0, previous, t, c1, c2);
            if (Math.Abs(t.Slope) <= -c2 * slope0) return (t.X, t.F, t.G);
            if (t.Slope >= 0) return Zoom(f, x, d, f0, slope0, t, previous, c1, c2);
            previous = t;
            alpha *= 4;
        }
        return null;
    }

    /// <summary>Shrinks the bracket between lo (lowest value so far, sufficient decrease) and hi until a step satisfies both conditions.</summary>
    private static (double[] X, double F, double[] G)? Zoom(CountedObjective f, double[] x, double[] d, double f0, double slope0,
        Trial lo, Trial hi, double c1, double c2)
    {
        for (int i = 0; i < MaxTrials && f.Remaining > 0; i++)
        {
            double left = Math.Min(lo.Alpha, hi.Alpha), width = Math.Abs(hi.Alpha - lo.Alpha);
            if (width <= 1e-12 * Math.Max(1, Math.Abs(lo.Alpha))) break;
            double a = Interpolate(lo, hi);
            // Safeguard: inside the bracket, at least 0.1% of its width from either end; else bisect.
            if (!(a > left && a < left + width)) a = 0.5 * (lo.Alpha + hi.Alpha);
            a = Math.Clamp(a, left + 1e-3 * width, left + (1 - 1e-3) * width);
            var t = Evaluate(f, x, d, a);
            if (t.F > f0 + c1 * a * slope0 || t.F >= lo.F)
            {
                hi = t;
                continue;
            }
            if (Math.Abs(t.Slope) <= -c2 * slope0) return (t.X, t.F, t.G);
            if (t.Slope * (hi.Alpha - lo.Alpha) >= 0) hi = lo;
            lo = t;
        }
        // Out of budget or bracket: a step with sufficient decrease is still progress.
        return lo.Alpha > 0 ? (lo.X, lo.F, lo.G) : null;
    }

    /// <summary>
    /// The next trial in the bracket, after Moré and Thuente: when hi has the higher value, the cubic's minimiser
    /// if it is nearer lo than the quadratic's (through φ(lo), φ'(lo), φ(hi)), else their average; when the
    /// bracket comes from a change of slope sign, the cubic's minimiser.
    /// </summary>
    private static double Interpolate(Trial lo, Trial hi)
    {
        double cubic = Cubic(lo, hi);
        if (hi.F <= lo.F) return cubic;
        double da = hi.Alpha - lo.Alpha;
        double quadratic = lo.Alpha + lo.Slope * da * da / (2 * (lo.F - hi.F + lo.Slope * da));
        if (double.IsNaN(cubic)) return quadratic;
        return Math.Abs(cubic - lo.Alpha) < Math.Abs(quadratic - lo.Alpha) ? cubic : 0.5 * (cubic + quadratic);
    }

    /// <summary>The minimiser of the cubic through (α, φ, φ') at both ends (NaN when it has none).</summary>
    private static double Cubic(Trial p, Trial q)
    {
        double d1 = p.Slope + q.Slope - 3 * (p.F - q.F) / (p.Alpha - q.Alpha);
        double disc = d1 * d1 - p.Slope * q.Slope;
        if (disc < 0) return double.NaN;
        double d2 = Math.Sign(q.Alpha - p.Alpha) * Math.Sqrt(disc);
        return q.Alpha - (q.Alpha - p.Alpha) * (q.Slope + d2 - d1) / (q.Slope - p.Slope + 2 * d2);
    }

    private static Trial Evaluate(CountedObjective f, double[] x, double[] d, double alpha)
    {
        var xa = new double[x.Length];
        for (int i = 0; i < x.Length; i++) xa[i] = x[i] + alpha * d[i];
        var (fa, ga) = f.Evaluate(xa);
        return new Trial(alpha, fa, Lbfgs.Dot(ga, d), xa, ga);
    }
}
