namespace Engine.Scratch;

/// <summary>
/// Batch normalization layer (DLfS 6.3): input [N, D] (or [N, C, H, W], treated as [N, C·H·W] like
/// DLfS) normalised per feature: training uses the batch mean μ and variance σ² (biased) and updates
/// running_mean = momentum·running_mean + (1 − momentum)·μ (running_var likewise with σ²); test uses the
/// running statistics. out = γ·(x − μ)/√(σ² + 1e-6) + β (DLfS's 10e-7). Runs on the backend's BatchNorm
/// and BatchNormBackward ops; backward fills <see cref="DGamma"/> and <see cref="DBeta"/>.
/// </summary>
public sealed class BatchNormalization : ILayer
{
    /// <summary>DLfS's 10e-7 under the square root.</summary>
    public const double Eps = 1e-6;

    private Tensor? _x3, _saveMean, _saveInvStd;
    private int[]? _xShape;
    private bool _lastWasTraining;

    /// <summary>A layer over γ [D] and β [D] (used, not copied); running statistics start at 0 unless given.</summary>
    public BatchNormalization(Tensor gamma, Tensor beta, double momentum = 0.9, Tensor? runningMean = null, Tensor? runningVar = null)
    {
        LayerChecks.BatchNormParams(gamma, beta, momentum);
        Gamma = gamma;
        Beta = beta;
        Momentum = momentum;
        int d = gamma.Dim(0);
        RunningMean = runningMean ?? Tensor.Zeros([d], gamma.DType, gamma.Device);
        RunningVar = runningVar ?? Tensor.Zeros([d], gamma.DType, gamma.Device);
        RunningMean.CheckShape("BatchNormalization", [d], "running_mean");
        RunningVar.CheckShape("BatchNormalization", [d], "running_var");
        RunningMean.Persistent = RunningVar.Persistent = true;
    }

    /// <summary>Scale γ [D] (DLfS <c>gamma</c>).</summary>
    public Tensor Gamma { get; }

    /// <summary>Shift β [D] (DLfS <c>beta</c>).</summary>
    public Tensor Beta { get; }

    /// <summary>Weight of the old value in the running statistics (DLfS 0.9).</summary>
    public double Momentum { get; }

    /// <summary>Running mean [D] used at test time.</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (biased) variance [D] used at test time.</summary>
    public Tensor RunningVar { get; }

    /// <summary>Mode used by <see cref="Forward(Tensor)"/>.</summary>
    public bool Training { get; set; } = true;

    /// <summary>dL/dγ from the last backward; null before.</summary>
    public Tensor? DGamma { get; private set; }

    /// <summary>dL/dβ from the last backward; null before.</summary>
    public Tensor? DBeta { get; private set; }

    /// <summary>Forward in the mode of <see cref="Training"/>.</summary>
    public Tensor Forward(Tensor x) => Forward(x, Training);

    /// <summary>x [N, D] or [N, …] with D values per sample → same shape, normalised per feature.</summary>
    public Tensor Forward(Tensor x, bool trainFlg)
    {
        LayerChecks.BatchNormInput(x, Gamma, trainFlg);
        int n = x.Dim(0), d = Gamma.Dim(0);
        _xShape = x.Shape;
        _x3 = x.Reshape(n, d, 1);
        _saveMean = Tensor.Zeros([d], x.DType, x.Device);
        _saveInvStd = Tensor.Zeros([d], x.DType, x.Device);
        var y = Tensor.Zeros([n, d, 1], x.DType, x.Device);
        // momentum 0 leaves the running statistics to the update below (DLfS's biased variance).
        x.Backend.BatchNorm(_x3, Gamma, Beta, RunningMean, RunningVar, trainFlg, 0, Eps, y, _saveMean, _saveInvStd);
        _lastWasTraining = trainFlg;
        if (trainFlg)
        {
            using var scope = Tensor.Scope();
            var batchVar = 1.0 / (_saveInvStd * _saveInvStd) - Eps;
            RunningMean.CopyFrom(RunningMean * Momentum + _saveMean * (1 - Momentum));
            RunningVar.CopyFrom(RunningVar * Momentum + batchVar * (1 - Momentum));
        }
        using (y) return y.Reshape(_xShape);
    }

    /// <summary>dout (the output's shape) → dx; sets DGamma and DBeta (after a training-mode forward).</summary>
    public Tensor Backward(Tensor dout)
    {
        LayerChecks.BatchNormDout(dout, _xShape, _lastWasTraining);
        using var g3 = dout.Reshape(_xShape![0], Gamma.Dim(0), 1);
        var dx3 = Tensor.ZerosLike(_x3!);
        DGamma = Tensor.ZerosLike(Gamma);
        DBeta = Tensor.ZerosLike(Beta);
        dout.Backend.BatchNormBackward(_x3!, g3, Gamma, _saveMean!, _saveInvStd!, dx3, DGamma, DBeta);
        using (dx3) return dx3.Reshape(_xShape);
    }
}
