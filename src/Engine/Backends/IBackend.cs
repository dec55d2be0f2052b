namespace Engine;

/// <summary>
/// The op table: the one list of primitive operations every device implements.
/// <see cref="CpuReference"/> is the plain reference (one loop per op, the oracle), <see cref="CpuBackend"/>
/// the fast CPU path; CudaBackend (src/Kernels) launches the kernels of kernels.cu with the same names
/// (ReluBackward ↔ relu_backward_f32). docs/op-map.md shows where each op lives in all three.
/// Conventions: every tensor is contiguous row-major; outputs are allocated by the caller with
/// the right shape and dtype and are overwritten; an output may alias an input only where the doc
/// says so (elementwise ops: yes). Float ops accept Float32 and Float64 (same dtype throughout).
/// Shape checks live in the Tensor layer, so a backend may assume valid shapes.
/// </summary>
public interface IBackend
{
    /// <summary>The device this backend runs on.</summary>
    Device Device { get; }

    // ---- memory ---------------------------------------------------------------------------

    /// <summary>New zero-filled storage of <paramref name="length"/> elements.</summary>
    Storage Allocate(DType dtype, long length);

    /// <summary>
    /// New storage whose contents are unspecified, for an output the next op overwrites entirely (an
    /// im2col buffer, a GEMM result): skips the zero fill. Backends without such a path return zeros.
    /// The contract that makes this safe, on every device: an op writes every element of its outputs and
    /// never reads them first — except where its doc says it reads or adds into one (IndexAdd, MatMul with
    /// beta ≠ 0, the optimiser updates' state). An op whose kernel scatters or accumulates (MaxPool2dBackward
    /// on CUDA: atomicAdd at each argmax) clears its output itself. Tested by NaN-prefilled outputs
    /// (OpCases on CPU and in gpu-check; KernelEmulationTests for the CUDA kernels on the host).
    /// </summary>
    Storage AllocateUninitialized(DType dtype, long length) => Allocate(dtype, length);

    /// <summary>Copies a host array (float[], double[], int[], long[] of the tensor's dtype) into <paramref name="dst"/>.</summary>
    void CopyFromHost(Array src, Tensor dst);

    /// <summary>Copies all of <paramref name="src"/> into a host array of its dtype.</summary>
    void CopyToHost(Tensor src, Array dst);

    /// <summary>Waits until all queued work on the device is done (no-op on CPU).</summary>
    void Synchronize();

    // ---- fill, copy, cast -----------------------------------------------------------------

    /// <summary>t[i] = value (any dtype).</summary>
    void Fill(Tensor t, double value);

    /// <summary>dst[i] = src[i]; same dtype and size.</summary>
    void Copy(Tensor src, Tensor dst);

    /// <summary>dst[i] = (dst dtype) src[i] between any two dtypes; floats → integers truncate toward zero
    /// (PyTorch's <c>.long()</c>), saturating at the integer's range, NaN → 0.</summary>
    void Cast(Tensor src, Tensor dst);

    // ---- elementwise ----------------------------------------------------------------------

    /// <summary>y = op(x); y may alias x.</summary>
    void Unary(UnaryOp op, Tensor x, Tensor y);

    /// <summary>y = op(a, b) with NumPy broadcasting of a and b to y's shape; y may alias a or b when shapes match.</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor y);

    /// <summary>y = op(a, s), or op(s, a) when <paramref name="scalarFirst"/>; y may alias a.</summary>
    void BinaryScalar(BinaryOp op, Tensor a, double s, Tensor y, bool scalarFirst = false);

    /// <summary>ReLU backward: dx = dy where x &gt; 0 else 0. Shapes equal.</summary>
    void ReluBackward(Tensor x, Tensor dy, Tensor dx);

    /// <summary>Sigmoid backward from its output y: dx = dy · y · (1 − y).</summary>
    void SigmoidBackward(Tensor y, Tensor dy, Tensor dx);

    /// <summary>Tanh backward from its output y: dx = dy · (1 − y²).</summary>
    void TanhBackward(Tensor y, Tensor dy, Tensor dx);

    /// <summary>Inverted dropout: y = x · mask · scale (mask holds 0/1, drawn on the CPU).</summary>
    void Dropout(Tensor x, Tensor mask, double scale, Tensor y);

    // ---- reductions and indexing ------------------------------------------------------------

    /// <summary>
    /// Reduces x along <paramref name="axis"/>. Viewing x as [outer, n, inner], y is [outer, 1, inner]
    /// (same element count as x with that axis removed).
    /// </summary>
    void Reduce(ReduceOp op, Tensor x, int axis, Tensor y);

    /// <summary>Index of the largest element along <paramref name="axis"/> (first on ties); y is Int32 [outer, inner].</summary>
    void ArgMax(Tensor x, int axis, Tensor y);

    /// <summary>y[i, …] = x[index[i], …]: rows of x picked by an Int32 index (batches, shuffles).</summary>
    void IndexSelect(Tensor x, Tensor index, Tensor y);

    /// <summary>y[index[i], …] += x[i, …]: the backward of IndexSelect (y is not cleared first).</summary>
    void IndexAdd(Tensor x, Tensor index, Tensor y);

    /// <summary>y[i, labels[i]] = 1, else 0: labels Int32/Int64 [N], y float [N, C].</summary>
    void OneHot(Tensor labels, Tensor y);

    /// <summary>y = x with axes permuted: y.Shape[i] = x.Shape[perm[i]].</summary>
    void Permute(Tensor x, int[] perm, Tensor y);

    // ---- linear algebra -----------------------------------------------------------------------

    /// <summary>
    /// GEMM: c = alpha · op(a) · op(b) + beta · c, op = transpose when the flag is set.
    /// 2-D: a [M,K] (or [K,M]), b [K,N] (or [N,K]), c [M,N]. 3-D: the same per batch (batch dim first, equal in all three).
    /// </summary>
    void MatMul(Tensor a, Tensor b, Tensor c, bool transA = false, bool transB = false, double alpha = 1, double beta = 0);

    // ---- softmax and losses -------------------------------------------------------------------

    /// <summary>Row softmax over the last axis, subtracting the row max first: x, y [rows, C].</summary>
    void Softmax(Tensor x, Tensor y);

    /// <summary>Row log-softmax over the last axis: y = x − max − log Σ exp(x − max).</summary>
    void LogSoftmax(Tensor x, Tensor y);

    /// <summary>
    /// Fused softmax + cross-entropy, forward: probs = softmax(logits) [N,C]; loss[i] =
    /// −Σ_c t[i,c] · log p[i,c] where target is one-hot or soft float [N,C], or −log p[i, t[i]] where
    /// target is Int32/Int64 labels [N]. log p is log(probs + δ) for δ = <paramref name="delta"/> &gt; 0
    /// (DLfS's guard 1e-7, chapter 24) and the exact log-softmax x − max − log Σ exp(x − max) for δ = 0
    /// (PyTorch's cross_entropy).
    /// </summary>
    void SoftmaxCrossEntropy(Tensor logits, Tensor target, Tensor probs, Tensor loss, double delta);

    /// <summary>Fused softmax + cross-entropy, backward: dx = (probs − t) · scale (scale = dLoss/N for a mean).</summary>
    void SoftmaxCrossEntropyBackward(Tensor probs, Tensor target, double scale, Tensor dx);

    // ---- convolution and pooling (NCHW) -------------------------------------------------------

    /// <summary>
    /// Unfolds patches: x [N,C,H,W] → cols [N·OH·OW, C·KH·KW] (DLfS im2col layout), where
    /// OH = (H + 2·pad − KH)/stride + 1 and OW likewise; padding reads as 0.
    /// </summary>
    void Im2Col(Tensor x, int kh, int kw, int stride, int pad, Tensor cols);

    /// <summary>The adjoint of Im2Col: adds every patch entry of cols back into dx [N,C,H,W] (dx is overwritten).</summary>
    void Col2Im(Tensor cols, int kh, int kw, int stride, int pad, Tensor dx);

    /// <summary>Max pooling: x [N,C,H,W] → y [N,C,OH,OW]; argmax (Int32, same shape as y) holds the flat h·W+w of each max (the first in row-major window order; padding is skipped, never the max).</summary>
    void MaxPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y, Tensor argmax);

    /// <summary>Max pooling backward: dx (overwritten) receives dy at each argmax.</summary>
    void MaxPool2dBackward(Tensor dy, Tensor argmax, Tensor dx);

    /// <summary>Average pooling (padding counts as zeros, divisor KH·KW): x [N,C,H,W] → y [N,C,OH,OW].</summary>
    void AvgPool2d(Tensor x, int kh, int kw, int stride, int pad, Tensor y);

    /// <summary>Average pooling backward: dx (overwritten) gets dy/(KH·KW) over each window.</summary>
    void AvgPool2dBackward(Tensor dy, int kh, int kw, int stride, int pad, Tensor dx);

    // ---- batch normalisation ------------------------------------------------------------------

    /// <summary>
    /// Batch norm over x [N,C,S] (S = H·W, or 1 for [N,C]): per channel c, in training mean/var of the batch
    /// (biased var) are used and running stats updated with momentum (r = (1−m)·r + m·batch, unbiased var);
    /// in eval the running stats are used. y = γ·(x−μ)/√(σ²+ε) + β. saveMean and saveInvStd [C] (= μ and 1/√(σ²+ε) of
    /// whichever statistics were used) feed the backward.
    /// </summary>
    void BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, double momentum, double eps, Tensor y, Tensor saveMean, Tensor saveInvStd);

    /// <summary>Batch norm backward (training mode): dx, dgamma, dbeta from dy and the saved statistics.</summary>
    void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dgamma, Tensor dbeta);

    // ---- style transfer ----------------------------------------------------------------------

    /// <summary>
    /// Total variation (Chollet's form, 1.25 exponent) of each image of x [N, C, H, W]: loss [N] with
    /// loss[n] = Σ over c, i &lt; H−1, j &lt; W−1 of (a + b)^1.25, a = (x[n,c,i,j] − x[n,c,i+1,j])²,
    /// b = (x[n,c,i,j] − x[n,c,i,j+1])². Sums in double.
    /// </summary>
    void TotalVariation(Tensor x, Tensor loss);

    /// <summary>
    /// Total variation backward: dx [N, C, H, W] (overwritten) = dy[n] · ∂loss[n]/∂x from x and dy [N].
    /// Each pixel gathers the terms it appears in: with s = a + b and d = 2.5·s^0.25 at (i, j),
    /// dx[i,j] = d(i,j)·(2x[i,j] − x[i+1,j] − x[i,j+1]) − d(i−1,j)·(x[i−1,j] − x[i,j]) − d(i,j−1)·(x[i,j−1] − x[i,j]),
    /// each term present only where its (i, j) lies in [0, H−1) × [0, W−1).
    /// </summary>
    void TotalVariationBackward(Tensor x, Tensor dy, Tensor dx);

    // ---- fused optimiser updates (in place on param and state) --------------------------------

    /// <summary>SGD: g' = g + wd·p; p −= lr · g'.</summary>
    void SgdUpdate(Tensor param, Tensor grad, double lr, double weightDecay);

    /// <summary>Momentum: v = μ·v + g'; p −= lr·(nesterov ? g' + μ·v : v) (PyTorch's form; DLfS's v = μv − lr·g equals it for constant lr).</summary>
    void MomentumUpdate(Tensor param, Tensor grad, Tensor velocity, double lr, double momentum, bool nesterov, double weightDecay);

    /// <summary>AdaGrad: h += g²; p −= lr · g / (√h + eps).</summary>
    void AdaGradUpdate(Tensor param, Tensor grad, Tensor h, double lr, double eps);

    /// <summary>RMSprop: h = ρ·h + (1−ρ)·g²; p −= lr · g / (√h + eps).</summary>
    void RmsPropUpdate(Tensor param, Tensor grad, Tensor h, double lr, double rho, double eps);

    /// <summary>
    /// Adam at step t (1-based): m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
    /// p −= lr · (m/(1−β1^t)) / (√(v/(1−β2^t)) + eps).
    /// </summary>
    void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps, int step);
}
