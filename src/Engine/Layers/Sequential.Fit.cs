using System.Diagnostics;

namespace Engine.Layers;

public sealed partial class Sequential
{
    /// <summary>
    /// Trains for <paramref name="epochs"/> passes over (x, y) in mini-batches of <paramref name="batchSize"/>,
    /// shuffled each epoch with the model's generator unless <paramref name="shuffle"/> is false.
    /// Validation data: <paramref name="validationData"/>, or the last <paramref name="validationSplit"/>
    /// fraction of x and y (taken before shuffling, as Keras does). Each epoch ends with one Keras-style
    /// progress line on <paramref name="output"/> (Console by default): verbose 1 the bar, 2 one line, 0 nothing.
    /// Returns the <see cref="History"/> of "loss", "acc", "val_loss", "val_acc" per epoch.
    /// </summary>
    public History Fit(Tensor x, Tensor y, int epochs = 1, int batchSize = 32, double validationSplit = 0,
        (Tensor X, Tensor Y)? validationData = null, bool shuffle = true, IEnumerable<Callback>? callbacks = null,
        int verbose = 1, TextWriter? output = null)
    {
        CheckXY("Fit", x, y, batchSize);
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), $"{Name}.Fit: epochs must be ≥ 0, got {epochs}.");
        if (!(validationSplit >= 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), $"{Name}.Fit: validationSplit must be in [0, 1), got {validationSplit}.");
        if (validationSplit > 0 && validationData is not null)
            throw new ArgumentException($"{Name}.Fit: give validationSplit or validationData, not both.");
        if (_optimizer is null) throw new InvalidOperationException($"{Name}: call Compile(optimizer, loss) before Fit.");
        if (_inputShape is null) Build(x.Shape[1..]);

        int n = x.Dim(0);
        Tensor? valX = validationData?.X, valY = validationData?.Y;
        bool ownsValidation = false;
        if (validationData is { } vd) CheckXY("Fit (validationData)", vd.X, vd.Y, batchSize);
        if (validationSplit > 0)
        {
            int nVal = (int)(n * validationSplit);
            if (nVal == 0 || nVal == n)
                throw new ArgumentException($"{Name}.Fit: validationSplit {validationSplit} of {n} samples leaves no training or no validation samples.");
            valX = x.Rows(n - nVal, nVal);
            valY = y.Rows(n - nVal, nVal);
            ownsValidation = true;
            n -= nVal;
        }
        var output_ = verbose == 0 ? TextWriter.Null : output ?? Console.Out;
        var cbs = (callbacks ?? []).ToList();
        var history = new History();
        cbs.Insert(0, history);
        foreach (var cb in cbs) cb.Model = this;
        StopTraining = false;
        foreach (var cb in cbs) cb.OnTrainBegin();

        int steps = (n + batchSize - 1) / batchSize;
        var order = Enumerable.Range(0, n).ToArray();
        try
        {
            for (int epoch = 0; epoch < epochs && !StopTraining; epoch++)
            {
                foreach (var cb in cbs) cb.OnEpochBegin(epoch);
                if (verbose > 0) output_.WriteLine($"Epoch {epoch + 1}/{epochs}");
                if (shuffle) Shuffle(order);
                var clock = Stopwatch.StartNew();
                double lossSum = 0;
                long correct = 0;
                int seen = 0;
                var bar = verbose == 1 ? new ProgressBar(n, output_) : null;
                for (int s = 0; s < steps; s++)
                {
                    int m = Math.Min(batchSize, n - s * batchSize);
                    var idx = order.AsSpan(s * batchSize, m).ToArray();
                    (double loss, int right) r;
                    using (var scope = Tensor.Scope())
                    {
                        var xb = x.IndexSelect(idx).To(Device);
                        if (xb.DType != DType) xb = xb.To(DType);
                        r = TrainOnBatch(xb, PrepareTargets(y.IndexSelect(idx)));
                    }
                    if (!double.IsFinite(r.loss))
                        throw new InvalidOperationException($"{Name}.Fit: the loss became {r.loss} at epoch {epoch + 1}, batch {s + 1}; lower the learning rate or check the data for NaN/inf.");
                    lossSum += r.loss * m;
                    correct += r.right;
                    seen += m;
                    var batchLogs = Logs(lossSum / seen, (double)correct / seen);
                    foreach (var cb in cbs) cb.OnBatchEnd(s, batchLogs);
                    bar?.Update(seen, batchLogs, clock.Elapsed.TotalSeconds, final: false);
                }
                var logs = new Dictionary<string, double>(Logs(lossSum / n, (double)correct / n));
                if (valX is not null)
                    foreach (var (k, v) in Evaluate(valX, valY!, batchSize)) logs["val_" + k] = v;
                double secs = clock.Elapsed.TotalSeconds;
                if (bar is not null) bar.Update(n, logs, secs, final: true);
                else if (verbose == 2) output_.WriteLine($" - {secs:0}s - " + ProgressBar.Values(logs));
                foreach (var cb in cbs) cb.OnEpochEnd(epoch, logs);
            }
        }
        finally
        {
            foreach (var cb in cbs) cb.OnTrainEnd();
            if (ownsValidation) { valX!.Dispose(); valY!.Dispose(); }
        }
        return history;
    }

    private Dictionary<string, double> Logs(double loss, double acc)
    {
        var d = new Dictionary<string, double> { ["loss"] = loss };
        if (_accuracyKind is not null) d["acc"] = acc;
        return d;
    }

    private void Shuffle(int[] order)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = Generator.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
