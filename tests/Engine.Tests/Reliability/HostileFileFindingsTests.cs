using System.Text;
using Engine.Data;
using Engine.IO;
using NUnit.Framework;

namespace Engine.Tests.Reliability;

/// <summary>Hostile files: safetensors headers of the wrong JSON types, duplicate names, huge
/// shapes, an empty save path, stale temp files of a killed save; Boston cells that are not finite numbers.</summary>
public class HostileFileFindingsTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "engine-hostile-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, recursive: true);

    /// <summary>A safetensors file with this JSON header (padded) and <paramref name="dataBytes"/> zero bytes of data.</summary>
    private string WithHeader(string json, int dataBytes)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var path = Path.Combine(_dir, "h.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. new byte[dataBytes]]);
        return path;
    }

    private static void Refused(string path, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.That(ex!.Message, Does.Contain("SafeTensors.Load").And.Contain(path).And.Contain(expected));
    }

    [Test]
    public void HeaderFieldsOfTheWrongJsonTypeAreRefusedClearly()
    {
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":[2],"data_offsets":["0","8"]}}""", 8), "data_offsets");
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0.5,8]}}""", 8), "data_offsets");
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,1e30]}}""", 8), "data_offsets");
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", 8), "dimension");
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":[null],"data_offsets":[0,8]}}""", 8), "dimension");
        Refused(WithHeader("""{"w":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}""", 8), "dtype");
        Refused(WithHeader("""{"w":[1,2]}""", 8), "dtype");
        Refused(WithHeader("""[1,2]""", 0), "not a JSON object");
    }

    [Test]
    public void DuplicateNamesAndHugeShapesAreRefused()
    {
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "twice");
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":[1073741824,1073741824,16],"data_offsets":[0,0]}}""", 0), "more than");
        Refused(WithHeader("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}""", 0), "dimension");
    }

    [Test]
    public void SavingToAnEmptyPathOrADirectoryNamesTheOp()
    {
        var t = new[] { new KeyValuePair<string, Tensor>("w", Tensor.Ones([2])) };
        Assert.That(Assert.Throws<ArgumentException>(() => SafeTensors.Save("", t))!.Message, Does.Contain("SafeTensors.Save").And.Contain("empty"));
        Assert.That(Assert.Throws<ArgumentException>(() => SafeTensors.Save("  ", t))!.Message, Does.Contain("SafeTensors.Save"));
        Assert.That(Assert.Throws<IOException>(() => SafeTensors.Save(_dir, t))!.Message, Does.Contain("SafeTensors.Save").And.Contain("directory"));
        var underAFile = Path.Combine(_dir, "file");
        File.WriteAllText(underAFile, "x");
        Assert.That(Assert.Throws<IOException>(() => SafeTensors.Save(Path.Combine(underAFile, "m.safetensors"), t))!.Message, Does.Contain("SafeTensors.Save"));
    }

    [Test]
    public void ASaveRemovesTempFilesThatKilledSavesOfTheSameTargetLeft()
    {
        var target = Path.Combine(_dir, "m.safetensors");
        // A pid that is not running (pid_max on Linux is at most 2^22) and one that is (this process).
        string dead = Path.Combine(_dir, $".m.safetensors.{(1 << 22) + 17}.{Guid.NewGuid():N}.tmp");
        string live = Path.Combine(_dir, $".m.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string otherTarget = Path.Combine(_dir, $".other.safetensors.{(1 << 22) + 17}.{Guid.NewGuid():N}.tmp");
        foreach (var f in new[] { dead, live, otherTarget }) File.WriteAllBytes(f, new byte[1000]);
        SafeTensors.Save(target, [new("w", Tensor.Ones([3]))]);
        Assert.That(File.Exists(dead), Is.False, "the temp file of a process that is gone is removed");
        Assert.That(File.Exists(live), Is.True, "a temp file of a running process (a save in progress) is kept");
        Assert.That(File.Exists(otherTarget), Is.True, "temp files of other targets are not touched");
        Assert.That(SafeTensors.Load(target)["w"].ToDoubleArray(), Is.EqualTo(new double[] { 1, 1, 1 }));
        Assert.That(Directory.GetFiles(_dir, ".m.safetensors.*"), Is.EqualTo(new[] { live }));
    }

    [TestCase("NaN")]
    [TestCase("Infinity")]
    [TestCase("-Infinity")]
    [TestCase("1e400")]
    [TestCase("∞")]
    public void BostonRefusesCellsThatAreNotFiniteNumbers(string cell)
    {
        var lines = Encoding.UTF8.GetString(FileReaders.BostonCsv()).Split('\n');
        var cells = lines[8].Split(',');
        cells[4] = cell;
        lines[8] = string.Join(",", cells);
        var path = Path.Combine(_dir, BostonHousing.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("\n", lines));
        var ex = Assert.Throws<InvalidDataException>(() => BostonHousing.Load(_dir));
        Assert.That(ex!.Message, Does.Contain(path).And.Contain("line 9").And.Contain("'nox'").And.Contain(cell));
    }
}
