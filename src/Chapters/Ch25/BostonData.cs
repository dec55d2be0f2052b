using Engine;
using Engine.Data;

namespace Chapters.Ch25;

/// <summary>Boston housing as chapter 25 uses it: 404/102 split (test 0.2, fixed seed), standardised with the training statistics, targets [N, 1].</summary>
public sealed record BostonData(Tensor XTrain, Tensor YTrain, Tensor XTest, Tensor YTest)
{
    /// <summary>The split seed (fixed, so every rank and every run sees the same rows).</summary>
    public const ulong SplitSeed = 42;

    /// <summary>Loads, splits, standardises; targets become [N, 1] so they match Net1's output.</summary>
    public static BostonData Load()
    {
        var boston = BostonHousing.Load();
        var (xTrain, xTest, yTrain, yTest) = boston.TrainTestSplit(0.2, SplitSeed);
        var scaler = new StandardScaler().Fit(xTrain);
        var d = new BostonData(scaler.Transform(xTrain), yTrain.Reshape(-1, 1), scaler.Transform(xTest), yTest.Reshape(-1, 1));
        return d;
    }
}
