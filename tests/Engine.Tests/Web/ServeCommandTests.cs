using System.Net;
using System.Net.Sockets;
using Chapters;
using Chapters.Serve;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>`chapters serve` options: loopback by default, --host and --port checked, one clear line when the port is taken.</summary>
[TestFixture, Category("Web")]
public sealed class ServeCommandTests
{
    [Test]
    public void HostDefaultsToLoopback_AndIsParsed()
    {
        Assert.That(ServeOptions.ParseHost("127.0.0.1"), Is.EqualTo(IPAddress.Loopback));
        Assert.That(ServeOptions.ParseHost("localhost"), Is.EqualTo(IPAddress.Loopback));
        Assert.That(ServeOptions.ParseHost("0.0.0.0"), Is.EqualTo(IPAddress.Any));
        Assert.That(() => ServeOptions.ParseHost("example.org"), Throws.ArgumentException.With.Message.Contains("--host must be an IP address"));
        Assert.That(new ServeCommand().Usage, Does.Contain("--host 127.0.0.1"));
    }

    [TestCase("-1")]
    [TestCase("65536")]
    [TestCase("http")]
    public void BadPortIsRefused(string port) =>
        Assert.That(() => ServeOptions.ParsePort(port), Throws.ArgumentException.With.Message.Contains("--port must be a whole number from 0 to 65535"));

    [Test]
    public void TakenPortGivesOneClearLine()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        // Make sure a model file exists so the command reaches the bind quickly.
        _ = ServeProcess.Shared;
        var (exitCode, output, error) = ServeProcess.RunToExit(["--port", port.ToString(), "--model", ServeProcess.ModelPath], TimeSpan.FromMinutes(2));
        Assert.That(exitCode, Is.EqualTo(2), output + error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), error);
        Assert.That(lines[0], Does.Contain($"port {port} on 127.0.0.1 is already in use").And.Contain("--port"));
    }

    [Test]
    public void ABrokenModelFileGivesOneClearLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        try
        {
            var (exitCode, output, error) = ServeProcess.RunToExit(["--port", "0", "--model", path], TimeSpan.FromMinutes(2));
            Assert.That(exitCode, Is.EqualTo(2), output + error);
            Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
            Assert.That(error, Does.Contain(path).And.Contain("truncated or not a safetensors file"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void AnAppOlderThanItsSourcesIsFlagged()
    {
        string root = Path.Combine(Path.GetTempPath(), $"stale-{Guid.NewGuid():N}");
        string app = Path.Combine(root, "app"), source = Path.Combine(root, "src", "Web");
        Directory.CreateDirectory(app);
        Directory.CreateDirectory(source);
        try
        {
            File.WriteAllText(Path.Combine(app, "index.html"), "<html></html>");
            File.WriteAllText(Path.Combine(source, "LinePage.razor"), "page");
            File.SetLastWriteTimeUtc(Path.Combine(app, "index.html"), DateTime.UtcNow.AddMinutes(-5));
            Assert.That(WebAppFolder.StaleWarning(app, root), Does.Contain("LinePage.razor is newer than the published app"));
            File.SetLastWriteTimeUtc(Path.Combine(app, "index.html"), DateTime.UtcNow.AddMinutes(5));
            Assert.That(WebAppFolder.StaleWarning(app, root), Is.Null);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Test]
    public void MissingAppFolderSaysHowToPublish() =>
        Assert.That(() => WebAppFolder.Resolve("/nonexistent-folder"), Throws.TypeOf<DirectoryNotFoundException>().With.Message.Contains("dotnet publish src/Web"));

    [Test]
    public void UnknownArgumentsPrintUsage() => Assert.That(Cli.Run(["serve", "extra"]), Is.EqualTo(2));
}
