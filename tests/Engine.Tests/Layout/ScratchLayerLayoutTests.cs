using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Engine.Tests.Layout;

/// <summary>
/// Chapter 24's layers read like DLfS's layers.py: Forward and Backward hold the maths, a handful of
/// lines each, and leave argument checks to LayerChecks (no <c>throw</c> in them).
/// </summary>
public sealed class ScratchLayerLayoutTests
{
    private static readonly string[] Layers =
        ["MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Convolution", "Pooling", "Dropout", "BatchNormalization"];

    [Test]
    public void ForwardAndBackwardAreShortAndCheckThroughLayerChecks()
    {
        foreach (var layer in Layers)
        {
            string text = File.ReadAllText(Fixtures.File($"src/Engine/Scratch/{layer}.cs"));
            var bodies = MethodBodies(text, "Forward").Concat(MethodBodies(text, "Backward")).ToList();
            Assert.That(bodies, Is.Not.Empty, $"{layer}: no Forward/Backward found");
            foreach (var body in bodies)
            {
                Assert.That(body, Does.Not.Contain("throw "), $"{layer}: checks belong in LayerChecks");
                int lines = body.Split('\n').Count(l => l.Trim().Length > 0 && !l.Trim().StartsWith("//"));
                Assert.That(lines, Is.LessThanOrEqualTo(20), $"{layer}: a Forward/Backward of {lines} lines");
            }
        }
    }

    [Test]
    public void MethodBodiesFindsBlockAndExpressionBodies()
    {
        const string code = "public Tensor Forward(Tensor x)\n{\n    if (a) { b(); }\n    return x;\n}\npublic Tensor Backward(Tensor d) => d * 2;\n";
        Assert.That(MethodBodies(code, "Forward").Single(), Does.Contain("return x;").And.Contain("b();"));
        Assert.That(MethodBodies(code, "Backward").Single(), Is.EqualTo("d * 2;"));
    }

    /// <summary>The bodies of every method named <paramref name="name"/>: the text between its braces, or after => up to the semicolon.</summary>
    internal static IEnumerable<string> MethodBodies(string text, string name)
    {
        foreach (Match m in Regex.Matches(text, @"\b" + name + @"\([^)]*\)\s*(\{|=>)"))
        {
            int start = m.Index + m.Length;
            if (m.Groups[1].Value == "=>")
            {
                yield return text[start..(text.IndexOf(';', start) + 1)].Trim();
                continue;
            }
            int depth = 1, i = start;
            for (; i < text.Length && depth > 0; i++)
                depth += text[i] == '{' ? 1 : text[i] == '}' ? -1 : 0;
            yield return text[start..(i - 1)];
        }
    }
}
