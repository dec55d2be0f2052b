using System.Net;

namespace Chapters.Serve;

/// <summary>What <c>chapters serve</c> listens on and serves.</summary>
/// <param name="Host">Address to listen on; loopback unless the user passes --host.</param>
/// <param name="Port">TCP port; 0 picks a free one (tests use it).</param>
/// <param name="AppDir">The published Blazor WebAssembly app (its wwwroot folder).</param>
/// <param name="ModelPath">The digit model's safetensors file; trained and saved there when absent.</param>
public sealed record ServeOptions(IPAddress Host, int Port, string AppDir, string ModelPath)
{
    /// <summary>Default port, as `dotnet run` and Kestrel use.</summary>
    public const int DefaultPort = 5000;

    /// <summary>Default model file, relative to the current folder.</summary>
    public static readonly string DefaultModelPath = Path.Combine("out", "web", "mnist-convnet.safetensors");

    /// <summary>Reads --host: an IP address, or "localhost" for 127.0.0.1.</summary>
    public static IPAddress ParseHost(string text) =>
        text.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(text, out var ip) ? ip
        : throw new ArgumentException($"serve: --host must be an IP address (127.0.0.1, ::1, 0.0.0.0 for every interface) or localhost, got \"{text}\".");

    /// <summary>Reads --port: 0 (any free port) to 65535.</summary>
    public static int ParsePort(string text) =>
        int.TryParse(text, out int port) && port is >= 0 and <= 65535 ? port
        : throw new ArgumentException($"serve: --port must be a whole number from 0 to 65535, got \"{text}\".");
}
