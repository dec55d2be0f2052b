using NUnit.Framework;
using Engine.Kernels.Checks;

namespace Engine.Tests.Ops;

/// <summary>
/// One suite of op tests for every backend: each case of the op table (OpCases) is run on the
/// fixture's device and compared — on the CPU with an independent formula, on CUDA with
/// CpuReference — against the one tolerance table (fp32 elementwise ≤ 1e-6, reductions/GEMM ≤ 1e-4).
/// </summary>
public abstract class OpSuite
{
    private static readonly Dictionary<string, OpCase> ByName = OpCases.All().ToDictionary(c => c.Name);

    protected abstract Device Device { get; }

    public static IEnumerable<TestCaseData> Cases() => OpCases.All().Select(c => new TestCaseData(c.Name).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesReference(string name)
    {
        var c = ByName[name];
        var r = OpCheck.Run(c, Device);
        Assert.That(r.MaxRelError, Is.LessThanOrEqualTo(r.Tolerance), $"{name} on {Device}: max relative error {r.MaxRelError:E2} exceeds {r.Tolerance:E0}");
    }
}
