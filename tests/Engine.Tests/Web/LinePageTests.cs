using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>
/// The 21.7 page in a real headless Chromium: the engine (compiled to WebAssembly) trains y = 2x − 1
/// inside the page with a live loss curve, then predicts what the user types.
/// </summary>
[TestFixture, Category("Browser")]
public sealed class LinePageTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Records every value the loss curve's data-epochs attribute takes (the curve is redrawn as training runs).</summary>
    private const string WatchCurve = """
        window.__epochs = [];
        new MutationObserver(records => {
          for (const r of records) {
            const svg = r.target.closest ? r.target.closest('#loss-curve') : null;
            if (svg) window.__epochs.push(Number(svg.getAttribute('data-epochs')));
          }
        }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-epochs'] });
        """;

    private static async Task<IPage> OpenTrainedPageAsync()
    {
        var page = await Browser.NewPageAsync();
        await page.AddInitScriptAsync(WatchCurve);
        await page.GotoAsync(ServeProcess.Shared.Address.ToString());
        await page.Locator("#train-status[data-done=true]").WaitForAsync(new() { Timeout = 180_000 });
        return page;
    }

    private static async Task<(string Text, bool Error)> PredictAsync(IPage page, string input)
    {
        await page.Locator("#x").FillAsync(input);
        string before = await page.Locator("#output").InnerTextAsync();
        await page.Locator("#predict").ClickAsync();
        var output = page.Locator("#output");
        // The result area is re-rendered by the click; wait until it says something about this input.
        for (int i = 0; i < 100 && await output.InnerTextAsync() == before; i++) await Task.Delay(20);
        return (await output.InnerTextAsync(), await output.GetAttributeAsync("data-error") == "true");
    }

    [Test]
    public async Task TrainsInTheBrowserWithALiveLossCurve_ThenPredictsNineForFive()
    {
        var page = await OpenTrainedPageAsync();

        // The curve was drawn while training ran: many increasing epoch counts between 0 and 500, ending at 500.
        var epochs = JsonSerializer.Deserialize<int[]>(await page.EvaluateAsync<string>("JSON.stringify(window.__epochs)"))!;
        var distinct = epochs.Distinct().ToList();
        Assert.That(distinct, Is.Ordered.Ascending, "the curve's epoch count only grows");
        Assert.That(distinct.Count(e => e is > 0 and < 500), Is.GreaterThanOrEqualTo(10), $"intermediate redraws seen: [{string.Join(", ", distinct)}]");
        Assert.That(distinct[^1], Is.EqualTo(500));
        string points = (await page.Locator("#loss-curve polyline").GetAttributeAsync("points"))!;
        Assert.That(points.Split(' ', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(500), "one point per epoch");
        string status = await page.Locator("#train-status").InnerTextAsync();
        double finalLoss = double.Parse(status.Split("loss ")[1].Split(' ')[0], Inv);
        Assert.That(finalLoss, Is.LessThan(1e-3), status);

        // Type 5, click Predict, read y within (8.9, 9.1) (book: 8.9962864).
        var (text, error) = await PredictAsync(page, "5");
        Assert.That(error, Is.False, text);
        Assert.That(text, Does.StartWith("y(5) = "));
        double y = double.Parse(text["y(5) = ".Length..], Inv);
        Assert.That(y, Is.GreaterThan(8.9).And.LessThan(9.1));
        TestContext.Out.WriteLine($"browser: {text}; {status}");

        // The engine ran its WebAssembly paths: no AVX (Vector256 in software), the Vector<T> GEMM kernel, one thread.
        string engine = await page.Locator("#engine-info").InnerTextAsync();
        TestContext.Out.WriteLine(engine);
        Assert.That(engine, Does.Contain("Wasm:").And.Contain("Vector256 software").And.Contain("GEMM kernel VectorT").And.Contain("1 worker thread"));
        double gemmError = double.Parse(engine.Split("double loop ")[1], Inv);
        Assert.That(gemmError, Is.LessThan(1e-4));

        Directory.CreateDirectory(Path.Combine(ServeProcess.RepoRoot, "out", "web"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(ServeProcess.RepoRoot, "out", "web", "line-page.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task BadInputGetsAClearMessage_AndThePageKeepsWorking()
    {
        var page = await OpenTrainedPageAsync();
        (string Input, string Message)[] cases =
            [("", "Type a number"), ("abc", "is not a number"), ("NaN", "finite"), ("-Infinity", "finite"), ("1e400", "finite"), ("1e7", "too large")];
        foreach (var (input, message) in cases)
        {
            var (text, error) = await PredictAsync(page, input);
            Assert.That(error, Is.True, $"input \"{input}\": {text}");
            Assert.That(text, Does.Contain(message), $"input \"{input}\"");
            (text, error) = await PredictAsync(page, "2");
            Assert.That(error, Is.False, text);
            Assert.That(double.Parse(text["y(2) = ".Length..], Inv), Is.EqualTo(3).Within(0.05));
        }
        await page.Context.CloseAsync();
    }
}
