using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.Data;

public class BostonHousingTests
{
    [Test]
    public void LoadsAllRowsAndColumns()
    {
        var boston = BostonHousing.Load();
        Assert.That(boston.Features.Shape, Is.EqualTo(new[] { 506, 13 }));
        Assert.That(boston.Targets.Shape, Is.EqualTo(new[] { 506 }));
        Assert.That(boston.Features.DType, Is.EqualTo(DType.Float32));
        var x = boston.Features.ToDoubleArray();
        // first row: crim 0.00632, zn 18, ..., lstat 4.98; target 24.0
        Assert.That(x[0], Is.EqualTo(0.00632).Within(1e-7));
        Assert.That(x[12], Is.EqualTo(4.98).Within(1e-5));
        var y = BostonHousing.Load(dtype: DType.Float64).Targets.ToArray<double>();
        Assert.That(y[0], Is.EqualTo(24.0));
        // well-known statistics of the data set: mean medv 22.5328, mean crim 3.6135, max medv 50
        Assert.That(y.Average(), Is.EqualTo(22.532806).Within(1e-6));
        Assert.That(y.Max(), Is.EqualTo(50.0));
        Assert.That(Enumerable.Range(0, 506).Average(i => x[i * 13]), Is.EqualTo(3.613524).Within(1e-5));
    }

    [Test]
    public void SplitGives404And102WithAFixedSeed()
    {
        var boston = BostonHousing.Load(dtype: DType.Float64);
        var (xTrain, xTest, yTrain, yTest) = boston.TrainTestSplit(0.2, seed: 42);
        Assert.That(xTrain.Shape, Is.EqualTo(new[] { 404, 13 }));
        Assert.That(xTest.Shape, Is.EqualTo(new[] { 102, 13 }));
        Assert.That(yTrain.Shape, Is.EqualTo(new[] { 404 }));
        Assert.That(yTest.Shape, Is.EqualTo(new[] { 102 }));
        // the two parts together are the whole set, and the same seed gives the same split
        var all = yTrain.ToArray<double>().Concat(yTest.ToArray<double>()).Order();
        Assert.That(all, Is.EqualTo(boston.Targets.ToArray<double>().Order()));
        var again = boston.TrainTestSplit(0.2, seed: 42);
        Assert.That(again.YTest.ToArray<double>(), Is.EqualTo(yTest.ToArray<double>()));
        var other = boston.TrainTestSplit(0.2, seed: 43);
        Assert.That(other.YTest.ToArray<double>(), Is.Not.EqualTo(yTest.ToArray<double>()));
        // rows stay paired: a test row's features are the row of the full set with that target
        var perm = new Generator(42).Permutation(506);
        Assert.That(xTest.ToDoubleArray()[..13], Is.EqualTo(boston.Features.ToDoubleArray()[(perm[0] * 13)..(perm[0] * 13 + 13)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => boston.TrainTestSplit(1.0));
    }

    [Test]
    public void ScalerStandardisesTrainingColumns()
    {
        var boston = BostonHousing.Load();
        var (xTrain, xTest, _, _) = boston.TrainTestSplit(0.2, seed: 0);
        var scaler = new StandardScaler().Fit(xTrain);
        var z = scaler.Transform(xTrain);
        Assert.That(z.Shape, Is.EqualTo(new[] { 404, 13 }));
        var d = z.ToDoubleArray();
        for (int j = 0; j < 13; j++)
        {
            var col = Enumerable.Range(0, 404).Select(i => d[i * 13 + j]).ToArray();
            double mean = col.Average();
            double std = Math.Sqrt(col.Select(v => (v - mean) * (v - mean)).Average());
            Assert.That(mean, Is.EqualTo(0).Within(1e-5), $"column {j} mean");
            Assert.That(std, Is.EqualTo(1).Within(1e-5), $"column {j} std");
        }
        // the test set uses the training statistics, so it is only roughly standard
        var zt = scaler.Transform(xTest).ToDoubleArray();
        Assert.That(Math.Abs(zt.Average()), Is.LessThan(0.3));
        var back = scaler.InverseTransform(z).ToDoubleArray();
        Assert.That(back, Is.EqualTo(xTrain.ToDoubleArray()).Within(1e-3));
    }

    [Test]
    public void ScalerMatchesPopulationStatisticsAndHandlesConstantColumns()
    {
        var x = Tensor.From(new double[,] { { 1, 5 }, { 3, 5 }, { 5, 5 } });
        var scaler = new StandardScaler().Fit(x);
        Assert.That(scaler.Mean!.ToDoubleArray(), Is.EqualTo(new[] { 3.0, 5.0 }));
        Assert.That(scaler.Scale!.ToDoubleArray()[0], Is.EqualTo(Math.Sqrt(8.0 / 3)).Within(1e-12));
        Assert.That(scaler.Scale!.ToDoubleArray()[1], Is.EqualTo(1.0));
        Assert.That(scaler.Transform(x).ToDoubleArray()[1], Is.EqualTo(0.0));
        var e = Assert.Throws<ArgumentException>(() => scaler.Transform(Tensor.Zeros([2, 3], DType.Float64)))!;
        Assert.That(e.Message, Does.Contain("[N, 2]").And.Contain("[2, 3]"));
        Assert.Throws<InvalidOperationException>(() => new StandardScaler().Transform(x));
    }

    [Test]
    public void MissingCsvSaysRunMakeData()
    {
        var dir = Path.Combine(Path.GetTempPath(), "engine-boston-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<FileNotFoundException>(() => BostonHousing.Load(dir))!;
        Assert.That(e.Message, Does.Contain("boston.csv").And.Contain("make data"));
    }
}
