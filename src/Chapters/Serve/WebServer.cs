using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Web;

namespace Chapters.Serve;

/// <summary>
/// The web server of <c>chapters serve</c> (ASP.NET Core on Kestrel):
/// <list type="bullet">
/// <item><c>/</c> — the Blazor WebAssembly app: the engine trains y = 2x − 1 inside the browser.</item>
/// <item><c>/digits</c> — the server page: draw a digit, the server's convnet gives ten probabilities.</item>
/// <item><c>GET /api/line/predict?x=5</c> — y for x from the y = 2x − 1 model trained here at start-up.</item>
/// <item><c>POST /api/digits/predict</c> — <c>{"pixels": [784]}</c> → <c>{"digit", "probabilities"}</c>.</item>
/// <item><c>GET /api/health</c> — "ok" and what the digit model is.</item>
/// </list>
/// Bad input gets a 4xx with <c>{"error": "…"}</c>; the server keeps serving.
/// </summary>
public sealed class WebServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The address it listens on, e.g. http://127.0.0.1:5000/.</summary>
    public Uri Address { get; }

    /// <summary>Starts listening; throws an <see cref="IOException"/> with one clear line when the port is taken.</summary>
    public static async Task<WebServer> StartAsync(ServeOptions options, DigitModel digits, LineModel line)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.AppDir });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.Host, options.Port);
            k.Limits.MaxRequestBodySize = 1 << 20;
        });
        var app = builder.Build();

        var files = new PhysicalFileProvider(options.AppDir);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = ContentTypes() });
        PredictApi.Map(app, digits, line);

        try { await app.StartAsync(); }
        catch (Exception e) when (e is AddressInUseException || e.InnerException is AddressInUseException)
        {
            await app.DisposeAsync();
            throw new IOException($"serve: port {options.Port} on {options.Host} is already in use (another `chapters serve`?); choose another with --port N.");
        }
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    /// <summary>Completes when the server is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <summary>Stops listening and frees the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>MIME types of the published app's files (.wasm must be application/wasm for streaming compilation).</summary>
    private static FileExtensionContentTypeProvider ContentTypes()
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".wasm"] = "application/wasm";
        types.Mappings[".dat"] = "application/octet-stream";
        types.Mappings[".blat"] = "application/octet-stream";
        types.Mappings[".json"] = "application/json";
        types.Mappings[".js"] = "text/javascript";
        return types;
    }

    /// <summary>True when <paramref name="host"/> is a loopback address (the default: nothing outside this machine can connect).</summary>
    public static bool IsLoopback(IPAddress host) => IPAddress.IsLoopback(host);
}
