namespace Engine.Optim;

/// <summary>
/// What <see cref="Lbfgs.Minimize"/> returns, as scipy's <c>fmin_l_bfgs_b</c> does: the best point found,
/// its value and gradient, and the counts of its <c>info</c> dict.
/// </summary>
/// <param name="X">The point with the lowest value of all evaluated.</param>
/// <param name="F">f(X).</param>
/// <param name="Gradient">∇f(X).</param>
/// <param name="FunctionEvaluations">Calls of the objective (scipy's <c>funcalls</c>); never more than maxfun.</param>
/// <param name="Iterations">Completed iterations, each ending with an accepted step (scipy's <c>nit</c>).</param>
/// <param name="Converged">True when the gradient or the relative decrease test stopped it (scipy's warnflag 0).</param>
/// <param name="Message">Why it stopped.</param>
public sealed record LbfgsResult(double[] X, double F, double[] Gradient, int FunctionEvaluations, int Iterations, bool Converged, string Message);
