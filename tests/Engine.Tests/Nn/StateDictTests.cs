using System.Text;
using Engine.IO;
using Engine.Nn;
using NUnit.Framework;

namespace Engine.Tests.Nn;

public class StateDictTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "engine-statedict-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, true);

    private static Sequential Net(ulong seed) => new(new Linear(7, 5, generator: new Generator(seed)), new ReLU(), new Linear(5, 3, generator: new Generator(seed + 1)));

    [Test]
    public void SaveThenLoadRoundTripsBitExactly()
    {
        var a = Net(1);
        var b = Net(2);
        string path = Path.Combine(_dir, "model.safetensors");
        a.Save(path);
        b.Load(path);
        foreach (var ((na, ta), (nb, tb)) in a.StateDict().Zip(b.StateDict()))
        {
            Assert.That(nb, Is.EqualTo(na));
            Assert.That(tb.ToArray<float>().Select(BitConverter.SingleToInt32Bits), Is.EqualTo(ta.ToArray<float>().Select(BitConverter.SingleToInt32Bits)));
        }
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }), "no temp file is left behind");
        using var x = Tensor.Randn([4, 7], generator: new Generator(3));
        Assert.That(b.Forward(x).ToArray<float>(), Is.EqualTo(a.Forward(x).ToArray<float>()));
    }

    [Test]
    public void FileIsRealSafetensors()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        var t64 = Tensor.FromArray(new double[] { 1.5, -2, double.Epsilon, double.NaN }, [2, 2]);
        var i64 = Tensor.FromArray(new long[] { long.MinValue, 7 });
        var i32 = Tensor.FromArray(new[] { -1, 2, 3 });
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = t64, ["b"] = i64, ["c"] = i32 }, new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.That((8 + n) % 8, Is.EqualTo(0));
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd();
        Assert.That(header, Is.EqualTo("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[0,32]},\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[32,48]},\"c\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[48,60]}}"));
        Assert.That(BitConverter.ToDouble(bytes, 8 + (int)n), Is.EqualTo(1.5));
        var back = SafeTensors.Load(path, out var meta);
        Assert.That(meta["format"], Is.EqualTo("pt"));
        Assert.That(back["a"].ToArray<double>().Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(t64.ToArray<double>().Select(BitConverter.DoubleToInt64Bits)));
        Assert.That(back["b"].ToArray<long>(), Is.EqualTo(new[] { long.MinValue, 7 }));
        Assert.That(back["c"].Shape, Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void TruncatedFileIsRefused()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        Net(1).Save(path);
        var bytes = File.ReadAllBytes(path);
        foreach (int cut in new[] { 4, 20, bytes.Length - 1 })
        {
            string bad = Path.Combine(_dir, $"cut{cut}.safetensors");
            File.WriteAllBytes(bad, bytes[..cut]);
            var ex = Assert.Throws<InvalidDataException>(() => Net(2).Load(bad));
            Assert.That(ex!.Message, Does.Contain("truncated").And.Contain(bad));
        }
    }

    [Test]
    public void CorruptHeadersAreRefused()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        Net(1).Save(path);
        var bytes = File.ReadAllBytes(path);
        int n = (int)BitConverter.ToInt64(bytes, 0);
        string header = Encoding.UTF8.GetString(bytes, 8, n);

        void Expect(string newHeader, string message, byte[]? extra = null)
        {
            var h = Encoding.UTF8.GetBytes(newHeader);
            var data = bytes[(8 + n)..];
            var file = BitConverter.GetBytes((long)h.Length).Concat(h).Concat(extra ?? data).ToArray();
            File.WriteAllBytes(path, file);
            var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
            Assert.That(ex!.Message, Does.Contain(message));
        }

        Expect(header[..^5], "not valid JSON");
        Expect(header.Replace("\"F32\"", "\"BF16\""), "BF16");
        Expect(header.Replace("[5,7]", "[5,8]"), "needs 160 bytes");
        Expect(header, "bytes follow the last tensor", bytes[(8 + n)..].Concat(new byte[4]).ToArray());
        var hugeLength = (byte[])bytes.Clone();
        BitConverter.GetBytes(long.MaxValue).CopyTo(hugeLength, 0);
        File.WriteAllBytes(path, hugeLength);
        Assert.That(() => SafeTensors.Load(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("header length"));
    }

    [Test]
    public void LoadStateDictChecksKeysAndShapes()
    {
        var net = Net(1);
        var other = new Sequential(new Linear(7, 5), new ReLU(), new Linear(5, 4));
        var ex = Assert.Throws<ArgumentException>(() => net.LoadStateDict(other.StateDict()));
        Assert.That(ex!.Message, Does.Contain("2.weight").And.Contain("[4, 5]").And.Contain("[3, 5]"));
        var partial = net.StateDict();
        partial.Remove("2.bias");
        var ex2 = Assert.Throws<ArgumentException>(() => Net(3).LoadStateDict(partial));
        Assert.That(ex2!.Message, Does.Contain("missing keys [2.bias]"));
        Net(3).LoadStateDict(partial, strict: false);
    }

    [Test]
    public void FailedSaveLeavesThePreviousFileIntact()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        var a = Net(1);
        a.Save(path);
        var before = File.ReadAllBytes(path);
        var b = Net(2);
        b.Parameters().First().Dispose();
        Assert.That(() => b.Save(path), Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("0.weight"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1));
        Net(3).Load(path);
    }
}
