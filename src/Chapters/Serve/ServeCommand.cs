using Web;

namespace Chapters.Serve;

/// <summary>
/// `chapters serve`: the chapter 21 web pages on 127.0.0.1 (loopback) unless --host says otherwise.
/// Serves the Blazor WebAssembly app (y = 2x − 1 trained in the browser), the /digits server page and
/// the JSON predict API (see <see cref="WebServer"/>) until Ctrl+C.
/// </summary>
public sealed class ServeCommand : Command
{
    public override string Name => "serve";
    public override string Usage => $"serve [--port {ServeOptions.DefaultPort}] [--host 127.0.0.1] [--model {ServeOptions.DefaultModelPath}] [--app <published wwwroot>]";

    public override string Summary => "Serves the chapter 21 pages: the browser app that trains y = 2x − 1 in WebAssembly (/), the digit page (/digits) and the JSON predict API, until Ctrl+C. Listens on 127.0.0.1 unless --host says otherwise.";
    public override IReadOnlyList<string> OptionNames => ["port", "host", "model", "app"];

    public override int Run(IReadOnlyList<string> args, Dictionary<string, string> options)
    {
        if (args.Count > 0) return Cli.Fail("usage: chapters " + Usage);
        var serve = new ServeOptions(
            ServeOptions.ParseHost(options.GetValueOrDefault("host", "127.0.0.1")),
            ServeOptions.ParsePort(options.GetValueOrDefault("port", ServeOptions.DefaultPort.ToString())),
            WebAppFolder.Resolve(options.GetValueOrDefault("app")),
            options.GetValueOrDefault("model", ServeOptions.DefaultModelPath));

        if (WebAppFolder.StaleWarning(serve.AppDir, Engine.Data.DataFolder.FindRepositoryRoot(AppContext.BaseDirectory)) is { } stale)
            Console.WriteLine(stale);
        DigitModel digits;
        try { digits = DigitModel.LoadOrTrain(serve.ModelPath, Console.Out); }
        catch (InvalidDataException e) { return Cli.Fail($"serve: {e.Message} (pass another --model, or delete the file to train a new one)"); }
        var line = new LineModel();
        line.TrainAll();
        try { return RunAsync(serve, digits, line).GetAwaiter().GetResult(); }
        catch (IOException e) when (e.Message.StartsWith("serve:", StringComparison.Ordinal)) { return Cli.Fail(e.Message); } // port taken or address unusable
    }

    private static async Task<int> RunAsync(ServeOptions serve, DigitModel digits, LineModel line)
    {
        await using var server = await WebServer.StartAsync(serve, digits, line);
        Console.WriteLine($"chapters serve: listening on {server.Address} (browser page /, digit page /digits, API /api/line/predict?x=5 and POST /api/digits/predict); Ctrl+C stops");
        if (!WebServer.IsLoopback(serve.Host))
            Console.WriteLine($"chapters serve: --host {serve.Host} accepts connections from other machines");
        Console.Out.Flush();
        await server.WaitForShutdownAsync();
        return 0;
    }
}
