using System.Buffers.Binary;
using Chapters;
using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.CommandLine;

/// <summary>
/// Failures reaching the CLI: corrupt MNIST/Boston files give the loader's message on one line and a
/// non-zero exit (no stack trace, no abort); a throwing exercise is one line in the table with the
/// full text in out/&lt;id&gt;/error.txt.
/// </summary>
[NonParallelizable]
public class CliFailureTests
{
    private string _data = "", _out = "";
    private string? _savedData;

    [SetUp]
    public void MakeFolders()
    {
        string root = Path.Combine(Path.GetTempPath(), "engine-cli-failure-" + Guid.NewGuid().ToString("N"));
        _data = Path.Combine(root, "data");
        _out = Path.Combine(root, "out");
        Directory.CreateDirectory(Path.Combine(_data, "mnist"));
        Directory.CreateDirectory(Path.Combine(_data, "boston"));
        _savedData = Environment.GetEnvironmentVariable(DataFolder.EnvironmentVariable);
        Environment.SetEnvironmentVariable(DataFolder.EnvironmentVariable, _data);
    }

    [TearDown]
    public void RemoveFolders()
    {
        Environment.SetEnvironmentVariable(DataFolder.EnvironmentVariable, _savedData);
        Directory.Delete(Path.GetDirectoryName(_data)!, recursive: true);
    }

    /// <summary>An IDX header: magic, then the dimensions (big-endian int32).</summary>
    private static byte[] Idx(int magic, params int[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        return bytes;
    }

    private void WriteMnist(byte[] trainImages)
    {
        string dir = Path.Combine(_data, "mnist");
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte"), trainImages);
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte"), [.. Idx(0x801, 2), 1, 2]);
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), [.. Idx(0x803, 1, 28, 28), .. new byte[784]]);
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), [.. Idx(0x801, 1), 3]);
    }

    private static readonly object[] CorruptMnist =
    [
        new object[] { "truncated header", new byte[] { 0, 0, 8 } },
        new object[] { "wrong magic", Idx(0x801, 2, 28, 28) },
        new object[] { "body shorter than the header says", Idx(0x803, 60000, 28, 28) },
        new object[] { "negative count", Idx(0x803, -5, 28, 28) },
        new object[] { "lying huge header", Idx(0x803, int.MaxValue, 28, 28) },
        new object[] { "wrong image size", (byte[])[.. Idx(0x803, 2, 10, 10), .. new byte[200]] },
    ];

    [TestCaseSource(nameof(CorruptMnist))]
    public void CorruptMnistIsOneLineAndNonZeroExit(string what, byte[] trainImages)
    {
        WriteMnist(trainImages);
        var (code, _, stderr) = CliCapture.Run("run", "24.5", "--quick", "--out", _out);
        Assert.That(code, Is.EqualTo(1), what + ": " + stderr);
        Assert.That(CliCapture.Lines(stderr), Has.Length.EqualTo(1), what + ": " + stderr);
        Assert.That(stderr, Does.StartWith("chapters: 24.5 failed: ").And.Contain("train-images-idx3-ubyte").And.Contain("error.txt"), what);
        Assert.That(File.ReadAllText(Path.Combine(_out, "24.5", "error.txt")), Does.Contain("InvalidDataException"), what);
    }

    private static readonly object[] CorruptBoston =
    [
        new object[] { "empty file", "", "expected" },
        new object[] { "a cell that is not a number", "crim,zn,indus,chas,nox,rm,age,dis,rad,tax,ptratio,b,lstat,medv\n" + string.Concat(Enumerable.Repeat("x,0,0,0,0,0,0,0,0,0,0,0,0,0\n", 506)), "expected a number" },
        new object[] { "too few rows", "crim,zn,indus,chas,nox,rm,age,dis,rad,tax,ptratio,b,lstat,medv\n1,0,0,0,0,0,0,0,0,0,0,0,0,0\n", "data rows" },
        new object[] { "too few fields", "crim,zn,indus,chas,nox,rm,age,dis,rad,tax,ptratio,b,lstat,medv\n" + string.Concat(Enumerable.Repeat("1,2\n", 506)), "fields" },
    ];

    [TestCaseSource(nameof(CorruptBoston))]
    public void CorruptBostonIsOneLineAndNonZeroExit(string what, string csv, string expected)
    {
        File.WriteAllText(Path.Combine(_data, "boston", "boston.csv"), csv);
        var (code, _, stderr) = CliCapture.Run("run", "25.2", "--quick", "--out", _out);
        Assert.That(code, Is.EqualTo(1), what + ": " + stderr);
        Assert.That(CliCapture.Lines(stderr), Has.Length.EqualTo(1), what + ": " + stderr);
        Assert.That(stderr, Does.StartWith("chapters: 25.2 failed: ").And.Contain("boston.csv"), what);
        Assert.That(stderr, Does.Contain(expected).Or.Contain("…"), what);
    }

    [Test]
    public void MissingDataSaysMakeData()
    {
        var (code, _, stderr) = CliCapture.Run("run", "25.2", "--quick", "--out", _out);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(CliCapture.Lines(stderr), Has.Length.EqualTo(1));
        Assert.That(stderr, Does.Contain("make data"));
    }

    private sealed class Throwing(Exception e) : Exercise
    {
        public override string Id => "99.1";
        public override string Title => "throws";
        public override void Run(ExerciseContext ctx)
        {
            ctx.Expect("before", "1", "1");
            throw e;
        }
    }

    [Test]
    public void AThrowingExerciseIsOneTableLineWithTheFullTextInErrorTxt()
    {
        string loader = "Unable to load shared library 'libmpich.so.12' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace.\n" +
                        string.Concat(Enumerable.Range(0, 40).Select(i => $"/some/path/{i}/libmpich.so.12: cannot open shared object file: No such file or directory\n"));
        var ctx = new ExerciseContext("99.1", Engine.Device.Cpu, quick: true, seed: 0, _out, TextWriter.Null);
        Assert.That(ExerciseFailure.Run(new Throwing(new InvalidOperationException("25.2b needs MPI.", new DllNotFoundException(loader))), ctx), Is.False);
        var check = ctx.Checks[^1];
        Assert.That(check.Pass, Is.False);
        Assert.That(check.Engine, Does.Not.Contain("\n"));
        Assert.That(check.Engine, Does.StartWith("25.2b needs MPI. native library libmpich.so.12 could not be loaded"));
        string errorFile = Path.Combine(_out, "99.1", "error.txt");
        Assert.That(check.Engine, Does.EndWith($"(full text: {errorFile})"));
        Assert.That(File.ReadAllText(errorFile), Does.Contain("/some/path/39/libmpich.so.12").And.Contain("DllNotFoundException"));

        var ok = new ExerciseContext("99.1", Engine.Device.Cpu, quick: true, seed: 0, _out, TextWriter.Null);
        Assert.That(ExerciseFailure.Run(new Throwing(new InvalidDataException(new string('x', 500))), ok), Is.False);
        Assert.That(ok.Checks[^1].Engine.Length, Is.LessThan(ExerciseFailure.MaxLength + errorFile.Length + 20), "a long message is cut");
    }
}
