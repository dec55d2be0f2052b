using System.Net;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>The JSON API of a real `chapters serve`: answers, 4xx for every kind of bad input, and still serving afterwards.</summary>
[TestFixture, Category("Web")]
public sealed class PredictApiTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static Uri Url(string path) => new(ServeProcess.Shared.Address, path);

    internal static string PixelsJson(IEnumerable<string> values) => "{\"pixels\":[" + string.Join(",", values) + "]}";

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Test]
    public async Task LinePredictGivesNineForFive()
    {
        using var response = await Http.GetAsync(Url("api/line/predict?x=5"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(doc.RootElement.GetProperty("y").GetDouble(), Is.GreaterThan(8.99).And.LessThan(9.0));
    }

    [TestCase("", "Type a number")]
    [TestCase("x=", "Type a number")]
    [TestCase("x=abc", "is not a number")]
    [TestCase("x=NaN", "finite")]
    [TestCase("x=Infinity", "finite")]
    [TestCase("x=-Infinity", "finite")]
    [TestCase("x=1e400", "finite")]
    [TestCase("x=1e7", "too large")]
    public async Task LinePredictRejectsBadX(string query, string message)
    {
        using var response = await Http.GetAsync(Url("api/line/predict?" + query));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(doc.RootElement.GetProperty("error").GetString(), Does.Contain(message));
        await AssertStillServing();
    }

    [Test]
    public async Task DigitPredictGivesTenProbabilities()
    {
        var (_, test) = Engine.Data.Mnist.Load(normalize: true, flatten: true);
        var image = test.Images.Rows(0, 1).ToArray<float>();
        using var response = await Http.PostAsync(Url("api/digits/predict"), Json(PixelsJson(image.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var p = doc.RootElement.GetProperty("probabilities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.That(p, Has.Length.EqualTo(10));
        Assert.That(p.Sum(), Is.EqualTo(1).Within(1e-5));
        Assert.That(doc.RootElement.GetProperty("digit").GetInt32(), Is.EqualTo(test.Labels.ToArray<int>()[0]));
    }

    /// <summary>Bodies the digit API must refuse, with the status and a word of the message.</summary>
    private static IEnumerable<TestCaseData> BadDigitBodies()
    {
        string zeros = PixelsJson(Enumerable.Repeat("0", 784));
        yield return new TestCaseData("", "application/json", HttpStatusCode.BadRequest, "empty").SetName("EmptyBody");
        yield return new TestCaseData("{\"pix", "application/json", HttpStatusCode.BadRequest, "not valid JSON").SetName("MalformedJson");
        yield return new TestCaseData("[1,2,3]", "application/json", HttpStatusCode.BadRequest, "expected a JSON object").SetName("NotAnObject");
        yield return new TestCaseData("{\"pixels\":\"abc\"}", "application/json", HttpStatusCode.BadRequest, "must be an array").SetName("PixelsNotArray");
        yield return new TestCaseData(PixelsJson(Enumerable.Repeat("0.5", 10)), "application/json", HttpStatusCode.BadRequest, "got 10").SetName("TooFewPixels");
        yield return new TestCaseData(zeros.Replace("[0,", "[\"NaN\","), "application/json", HttpStatusCode.BadRequest, "not a number").SetName("StringNaN");
        yield return new TestCaseData(zeros.Replace("[0,", "[NaN,"), "application/json", HttpStatusCode.BadRequest, "not valid JSON").SetName("BareNaN");
        yield return new TestCaseData(zeros.Replace("[0,", "[1e999,"), "application/json", HttpStatusCode.BadRequest, "[0, 1]").SetName("Infinite");
        yield return new TestCaseData(zeros.Replace("[0,", "[-0.5,"), "application/json", HttpStatusCode.BadRequest, "[0, 1]").SetName("Negative");
        yield return new TestCaseData(zeros.Replace("[0,", "[255,"), "application/json", HttpStatusCode.BadRequest, "[0, 1]").SetName("Huge");
        yield return new TestCaseData(zeros, "application/json", HttpStatusCode.BadRequest, "empty").SetName("NothingDrawn");
        yield return new TestCaseData(new string(' ', 40_000), "application/json", HttpStatusCode.RequestEntityTooLarge, "at most").SetName("Oversized");
        yield return new TestCaseData(zeros, "text/plain", HttpStatusCode.UnsupportedMediaType, "JSON").SetName("NotJson");
    }

    [TestCaseSource(nameof(BadDigitBodies))]
    public async Task DigitPredictRejectsBadImages(string body, string contentType, HttpStatusCode status, string message)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await Http.PostAsync(Url("api/digits/predict"), content);
        Assert.That(response.StatusCode, Is.EqualTo(status));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(doc.RootElement.GetProperty("error").GetString(), Does.Contain(message));
        await AssertStillServing();
    }

    [Test]
    public async Task ServesTheBrowserAppAndItsWebAssembly()
    {
        string index = await Http.GetStringAsync(Url(""));
        Assert.That(index, Does.Contain("_framework/blazor.webassembly"));
        var wasm = System.Text.RegularExpressions.Regex.Match(index, @"_framework/dotnet\.[a-z0-9]+\.js").Value;
        using var response = await Http.GetAsync(Url(wasm));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), wasm);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"));
        Assert.That((await Http.GetAsync(Url("no-such-file.txt"))).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private static async Task AssertStillServing()
    {
        using var response = await Http.GetAsync(Url("api/health"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ServeProcess.Shared.Running, Is.True);
    }
}
