using System.Globalization;
using Engine.Data;
using Microsoft.Playwright;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>
/// The /digits server page in headless Chromium: a digit from the MNIST test set is drawn on the canvas
/// with the mouse, the server's convnet (trained by the engine, loaded from its file) names it.
/// </summary>
[TestFixture, Category("Browser")]
public sealed class DigitsPageTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Draws a 28×28 image (values in [0, 1]) on the 280×280 pad: one mouse stroke per run of inked pixels in a row.</summary>
    private static async Task DrawAsync(IPage page, float[] image)
    {
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        for (int r = 0; r < Mnist.Side; r++)
            for (int c = 0; c < Mnist.Side; c++)
            {
                if (image[r * Mnist.Side + c] < 0.5f) continue;
                int end = c;
                while (end + 1 < Mnist.Side && image[r * Mnist.Side + end + 1] >= 0.5f) end++;
                float y = box.Y + r * 10 + 5;
                await page.Mouse.MoveAsync(box.X + c * 10 + 5, y);
                await page.Mouse.DownAsync();
                await page.Mouse.MoveAsync(box.X + end * 10 + 5, y, new() { Steps = 2 });
                await page.Mouse.UpAsync();
                c = end;
            }
    }

    private static async Task<int> PredictAsync(IPage page)
    {
        await page.Locator("#predict").ClickAsync();
        var result = page.Locator("#digit-result");
        var error = page.Locator("#digit-error");
        for (int i = 0; i < 500; i++)
        {
            string text = await result.InnerTextAsync();
            if (text != "–") return int.Parse(text, Inv);
            if (await error.IsVisibleAsync()) return -1;
            await Task.Delay(20);
        }
        throw new TimeoutException("the /digits page showed no result within 10 s");
    }

    [Test]
    public async Task DrawnMnistTestDigitsAreRecognised_WithTenProbabilityBars()
    {
        var (_, test) = Mnist.Load(normalize: true, flatten: true);
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(new Uri(ServeProcess.Shared.Address, "digits").ToString());
        int[] indices = [0, 1, 2, 3, 4];
        var labels = test.Labels.ToArray<int>();
        foreach (int index in indices)
        {
            await page.Locator("#clear").ClickAsync();
            var image = test.Images.Rows(index, 1).ToArray<float>();
            await DrawAsync(page, image);
            int digit = await PredictAsync(page);
            var p = new double[10];
            for (int d = 0; d < 10; d++) p[d] = double.Parse(await page.Locator($"#p-{d}").InnerTextAsync(), Inv);
            TestContext.Out.WriteLine($"MNIST test image {index} (label {labels[index]}): page says {digit}, bars [{string.Join(", ", p.Select(v => v.ToString("F3", Inv)))}]");
            Assert.That(digit, Is.EqualTo(labels[index]), $"MNIST test image {index}");
            Assert.That(p.Sum(), Is.EqualTo(1).Within(0.01), "the ten probabilities sum to 1");
            Assert.That(Array.IndexOf(p, p.Max()), Is.EqualTo(digit), "the longest bar is the named digit");
            Assert.That(await page.Locator($"#row-{digit}.best").CountAsync(), Is.EqualTo(1));
            if (index == indices[^1])
                await page.ScreenshotAsync(new() { Path = Path.Combine(ServeProcess.RepoRoot, "out", "web", "digits-page.png"), FullPage = true });
        }
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task PredictWithNothingDrawnSaysTheCanvasIsEmpty()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(new Uri(ServeProcess.Shared.Address, "digits").ToString());
        Assert.That(await PredictAsync(page), Is.EqualTo(-1));
        Assert.That(await page.Locator("#digit-error").InnerTextAsync(), Does.Contain("empty"));
        // The page and server keep working: draw a stroke, get a digit.
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + 140, box.Y + 50);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + 140, box.Y + 230, new() { Steps = 5 });
        await page.Mouse.UpAsync();
        Assert.That(await PredictAsync(page), Is.InRange(0, 9));
        Assert.That(await page.Locator("#digit-error").IsVisibleAsync(), Is.False);
        await page.Context.CloseAsync();
    }
}
