namespace Engine.Kernels;

public sealed partial class CudaBackend
{
    /// <summary>x [N, C, …] as (N, C, S).</summary>
    private static (long N, long C, long S) Channels(Tensor x)
    {
        long n = x.ShapeRef[0], c = x.Rank > 1 ? x.ShapeRef[1] : 1;
        return (n, c, n * c == 0 ? 0 : x.Size / (n * c));
    }

    /// <inheritdoc/>
    public void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd) =>
        Run($"BatchNorm(training={training})", [x, gamma, y], () =>
        {
            var (n, c, s) = Channels(x);
            string sfx = F(x, "BatchNorm");
            if (training)
                PerRow("batch_norm_stats_" + sfx, c, n * s, sizeof(double), P(x), P(runningMean), P(runningVar), P(saveMean), P(saveInvStd), n, c, s, momentum, eps);
            else
                Elementwise("batch_norm_running_" + sfx, c, P(runningMean), P(runningVar), P(saveMean), P(saveInvStd), c, eps);
            Elementwise("batch_norm_forward_" + sfx, x.Size, P(x), P(gamma), P(beta), P(saveMean), P(saveInvStd), P(y), x.Size, c, s);
        });

    /// <inheritdoc/>
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dgamma, Tensor dbeta) =>
        Run("BatchNormBackward", [x, dy, gamma, dx], () =>
        {
            var (n, c, s) = Channels(x);
            string sfx = F(x, "BatchNormBackward");
            PerRow("batch_norm_backward_reduce_" + sfx, c, n * s, sizeof(double), P(x), P(dy), P(saveMean), P(saveInvStd), P(dgamma), P(dbeta), n, c, s);
            Elementwise("batch_norm_backward_dx_" + sfx, x.Size, P(x), P(dy), P(gamma), P(saveMean), P(saveInvStd), P(dgamma), P(dbeta), P(dx), x.Size, c, s, n * s);
        });
}
