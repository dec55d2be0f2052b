using System.Globalization;

namespace Engine.Data;

/// <summary>
/// The Boston housing data set (Harrison &amp; Rubinfeld 1978): 506 districts, 13 features
/// (<see cref="FeatureNames"/>) and the median home value <c>medv</c> in $1000s as the target, read from
/// <c>data/boston/boston.csv</c> that <c>make data</c> fetches. Like Keras's <c>boston_housing</c> /
/// sklearn's <c>load_boston</c>; split it with <see cref="TrainTestSplit"/> and scale with <see cref="StandardScaler"/>.
/// </summary>
public sealed class BostonHousing
{
    /// <summary>Path of the CSV file inside the data folder.</summary>
    public const string RelativePath = "boston/boston.csv";

    /// <summary>Largest file accepted (the real CSV is about 35 kB).</summary>
    public const long MaxFileBytes = 1 << 20;

    /// <summary>Number of rows.</summary>
    public const int Rows = 506;

    /// <summary>The 13 feature columns, in file order.</summary>
    public static readonly string[] FeatureNames =
        ["crim", "zn", "indus", "chas", "nox", "rm", "age", "dis", "rad", "tax", "ptratio", "b", "lstat"];

    /// <summary>The target column (median value of owner-occupied homes, $1000s).</summary>
    public const string TargetName = "medv";

    private BostonHousing(Tensor features, Tensor targets)
    {
        Features = features;
        Targets = targets;
    }

    /// <summary>Features [506, 13].</summary>
    public Tensor Features { get; }

    /// <summary>Targets (medv) [506].</summary>
    public Tensor Targets { get; }

    /// <summary>Number of rows (506).</summary>
    public int Count => Features.Dim(0);

    /// <summary>Reads the CSV (CPU tensors of <paramref name="dtype"/>, Float32 or Float64).</summary>
    public static BostonHousing Load(string? dataDir = null, DType dtype = DType.Float32)
    {
        if (!dtype.IsFloat())
            throw new ArgumentException($"BostonHousing.Load: dtype must be float32 or float64, got {dtype.Name()}.", nameof(dtype));
        var path = DataFolder.GetFile(RelativePath, dataDir, "Boston housing");
        long bytes = new FileInfo(path).Length;
        if (bytes > MaxFileBytes)
            throw new InvalidDataException($"Boston housing '{path}': the file is {bytes} bytes, far more than the {Rows}-row CSV (about 35 kB) can be; it is not the data set. Delete it and run `make data` again.");
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        string[] expectedHeader = [.. FeatureNames, TargetName];
        var header = lines.Length > 0 ? lines[0].Split(',').Select(h => h.Trim().Trim('"')).ToArray() : [];
        if (!header.SequenceEqual(expectedHeader))
            throw new InvalidDataException(
                $"Boston housing '{path}': expected the header '{string.Join(",", expectedHeader)}' but found '{(lines.Length > 0 ? lines[0] : "")}'. " +
                "Delete it and run `make data` again.");
        if (lines.Length - 1 != Rows)
            throw new InvalidDataException($"Boston housing '{path}': expected {Rows} data rows but found {lines.Length - 1}. Delete it and run `make data` again.");
        int f = FeatureNames.Length;
        var x = new double[Rows * f];
        var y = new double[Rows];
        for (int r = 0; r < Rows; r++)
        {
            var cells = lines[r + 1].Split(',');
            if (cells.Length != f + 1)
                throw new InvalidDataException($"Boston housing '{path}': line {r + 2} has {cells.Length} fields, expected {f + 1}.");
            for (int c = 0; c <= f; c++)
            {
                if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new InvalidDataException($"Boston housing '{path}': line {r + 2}, column '{expectedHeader[c]}' holds '{cells[c]}', expected a number.");
                if (!double.IsFinite(v))
                    throw new InvalidDataException($"Boston housing '{path}': line {r + 2} (row {r}), column '{expectedHeader[c]}' holds '{cells[c]}', which is not a finite number (NaN, infinity or out of double range).");
                if (c < f) x[r * f + c] = v; else y[r] = v;
            }
        }
        var features = Tensor.FromDoubles(x, [Rows, f], dtype, null);
        var targets = Tensor.FromDoubles(y, [Rows], dtype, null);
        features.Persistent = targets.Persistent = true;
        return new BostonHousing(features, targets);
    }

    /// <summary>
    /// Shuffles the rows with <c>new Generator(seed).Permutation(506)</c> and puts the first
    /// ⌈<paramref name="testFraction"/>·506⌉ in the test set, the rest in the training set, like
    /// sklearn's <c>train_test_split(X, y, test_size, random_state)</c> (0.2 gives 404 / 102).
    /// </summary>
    public (Tensor XTrain, Tensor XTest, Tensor YTrain, Tensor YTest) TrainTestSplit(double testFraction = 0.2, ulong seed = 0)
    {
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"TrainTestSplit: testFraction must lie in (0, 1), got {testFraction}.");
        int n = Count;
        int nTest = (int)Math.Ceiling(testFraction * n);
        var perm = new Generator(seed).Permutation(n);
        int[] test = perm[..nTest], train = perm[nTest..];
        return (Features.IndexSelect(train), Features.IndexSelect(test), Targets.IndexSelect(train), Targets.IndexSelect(test));
    }
}
