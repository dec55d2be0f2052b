using System.Reflection;
using NUnit.Framework;
using Engine.Kernels.Checks;

namespace Engine.Tests.Ops;

/// <summary>
/// The oracle and the fast CPU path, case by case of the op table (OpCases, the small sizes and every edge
/// set): CpuReference against each case's independent formula, and CpuBackend against CpuReference
/// from the same inputs, within the one tolerance table.
/// </summary>
[TestFixture]
public sealed class ReferenceOpTests
{
    private static readonly Dictionary<string, OpCase> ByName = OpCases.All().ToDictionary(c => c.Name);

    public static IEnumerable<TestCaseData> Cases() => OpCases.All().Select(c => new TestCaseData(c.Name).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void ReferenceMatchesFormula(string name)
    {
        var r = OpCheck.Run(ByName[name], Device.Cpu, CpuReference.Instance, OpCheck.Oracle.Formula);
        Assert.That(r.MaxRelError, Is.LessThanOrEqualTo(r.Tolerance), $"{name} on CpuReference: max relative error {r.MaxRelError:E2} against the formula exceeds {r.Tolerance:E0}");
    }

    [TestCaseSource(nameof(Cases))]
    public void FastCpuMatchesReference(string name)
    {
        var r = OpCheck.Run(ByName[name], Device.Cpu, CpuBackend.Instance, OpCheck.Oracle.Reference);
        Assert.That(r.MaxRelError, Is.LessThanOrEqualTo(r.Tolerance), $"{name} on CpuBackend: max relative error {r.MaxRelError:E2} against CpuReference exceeds {r.Tolerance:E0}");
    }

    [Test]
    public void EveryIBackendOpIsCalledByACase()
    {
        // Runs every case through a proxy that records the IBackend methods it calls.
        var called = new HashSet<string>();
        var backend = RecordingBackend.Create(CpuReference.Instance, called);
        foreach (var c in OpCases.All())
        {
            var inputs = c.Inputs(new Generator(1));
            var outputs = c.Outputs(inputs);
            using (Tensor.NoGrad()) c.Execute(backend, inputs, outputs);
            foreach (var t in inputs.Concat(outputs)) t.Dispose();
        }
        var ops = OpMap.Ops().Select(m => m.Name);
        Assert.That(ops.Except(called), Is.Empty, "IBackend ops that no op-suite case calls");
    }

    [Test]
    public void CpuReferenceDefinesEveryOpItself()
    {
        var missing = typeof(IBackend).GetMethods()
            .Where(m => !m.IsSpecialName && m.IsAbstract)
            .Where(m => typeof(CpuReference).GetMethod(m.Name, BindingFlags.Public | BindingFlags.Instance, m.GetParameters().Select(p => p.ParameterType).ToArray()) is null)
            .Select(m => m.Name);
        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void CpuReferenceNamesTheOpOnBadInput()
    {
        using var x = Tensor.FromArray(new[] { 1, 2, 3 });
        using var y = Tensor.FromArray(new[] { 0, 0, 0 });
        var e = Assert.Throws<InvalidOperationException>(() => CpuReference.Instance.Unary(UnaryOp.Exp, x, y));
        Assert.That(e!.Message, Does.Contain("Unary").And.Contain("float"));
        using var labels = Tensor.FromArray(new[] { 0, 5 });
        using var hot = Tensor.Zeros([2, 3]);
        var r = Assert.Throws<ArgumentOutOfRangeException>(() => CpuReference.Instance.OneHot(labels, hot));
        Assert.That(r!.Message, Does.Contain("OneHot").And.Contain("label 5"));
    }

    /// <summary>An IBackend that forwards every call and records the method's name (a set keeps each once, a list every call).</summary>
    public class RecordingBackend : DispatchProxy
    {
        private IBackend _inner = null!;
        private ICollection<string> _called = null!;

        public static IBackend Create(IBackend inner, ICollection<string> called)
        {
            var proxy = Create<IBackend, RecordingBackend>();
            var r = (RecordingBackend)(object)proxy;
            r._inner = inner;
            r._called = called;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            _called.Add(targetMethod!.Name);
            try { return targetMethod.Invoke(_inner, args); }
            catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
        }
    }
}
