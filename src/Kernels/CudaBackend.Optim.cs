namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <inheritdoc/>
    public void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay) => Run("SgdUpdate", [param, grad], () =>
        Elementwise("sgd_update_" + F(param, "SgdUpdate"), param.Size, P(param), P(grad), S(param, lr), S(param, weightDecay), param.Size));

    /// <inheritdoc/>
    public void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay) =>
        Run("MomentumUpdate", [param, grad, velocity], () =>
            Elementwise("momentum_update_" + F(param, "MomentumUpdate"), param.Size, P(param), P(grad), P(velocity),
                S(param, lr), S(param, momentum), nesterov ? 1 : 0, S(param, weightDecay), param.Size));

    /// <inheritdoc/>
    public void AdaGradUpdate(Tensor param, Tensor grad, Tensor h, double lr, double eps) => Run("AdaGradUpdate", [param, grad, h], () =>
        Elementwise("adagrad_update_" + F(param, "AdaGradUpdate"), param.Size, P(param), P(grad), P(h), S(param, lr), S(param, eps), param.Size));

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor param, Tensor grad, Tensor h, double lr, double rho, double eps) => Run("RmsPropUpdate", [param, grad, h], () =>
        Elementwise("rmsprop_update_" + F(param, "RmsPropUpdate"), param.Size, P(param), P(grad), P(h), S(param, lr), S(param, rho), S(param, eps), param.Size));

    /// <inheritdoc/>
    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step) =>
        Run("AdamUpdate", [param, grad, m, v], () =>
        {
            double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
            Elementwise("adam_update_" + F(param, "AdamUpdate"), param.Size, P(param), P(grad), P(m), P(v),
                S(param, lr), S(param, beta1), S(param, beta2), S(param, eps), S(param, c1), S(param, c2), param.Size);
        });
}
