using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Engine.Data;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>
/// A loopback load test against the real `chapters serve` (127.0.0.1 only): 1,000 digit predictions,
/// 50 in flight at a time; every 10th request is malformed and must get its 400 while the other 900
/// all succeed with the right shape. Bounded: 1,000 requests and a 5-minute deadline. Prints p50/p99.
/// </summary>
[TestFixture, Category("Web")]
public sealed class LoadTests
{
    private const int Requests = 1000, Concurrency = 50;

    [Test]
    public async Task ThousandPredictionsFiftyConcurrent_NoErrors_MalformedOnesGet400()
    {
        var server = ServeProcess.Shared;
        Assert.That(IPAddress.IsLoopback(IPAddress.Parse(server.Address.Host)), Is.True, "the load test only targets loopback");
        var (_, test) = Mnist.Load(normalize: true, flatten: true);
        var images = test.Images.Rows(0, 20).ToArray<float>();
        var labels = test.Labels.Rows(0, 20).ToArray<int>();
        string[] bodies = Enumerable.Range(0, 20).Select(i => PredictApiTests.PixelsJson(
            images.Skip(i * Mnist.Pixels).Take(Mnist.Pixels).Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).ToArray();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var url = new Uri(server.Address, "api/digits/predict");
        var latencies = new double[Requests];
        var failures = new List<string>();
        int next = -1, inconsistent = 0;
        var firstAnswer = Enumerable.Repeat(-1, bodies.Length).ToArray();

        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Requests)
            {
                bool malformed = i % 10 == 9;
                string body = malformed ? "{\"pixels\":[0.5, \"oops\"" : bodies[i % bodies.Length];
                var sw = Stopwatch.StartNew();
                try
                {
                    using var response = await http.PostAsync(url, PredictApiTests.Json(body), deadline.Token);
                    string text = await response.Content.ReadAsStringAsync(deadline.Token);
                    latencies[i] = sw.Elapsed.TotalMilliseconds;
                    var expected = malformed ? HttpStatusCode.BadRequest : HttpStatusCode.OK;
                    if (response.StatusCode != expected) { lock (failures) failures.Add($"request {i}: {(int)response.StatusCode} {text}"); continue; }
                    using var doc = JsonDocument.Parse(text);
                    if (malformed) { if (!doc.RootElement.TryGetProperty("error", out _)) lock (failures) failures.Add($"request {i}: no error message"); continue; }
                    if (doc.RootElement.GetProperty("probabilities").GetArrayLength() != 10) lock (failures) failures.Add($"request {i}: not 10 probabilities");
                    int digit = doc.RootElement.GetProperty("digit").GetInt32();
                    int first = Interlocked.CompareExchange(ref firstAnswer[i % bodies.Length], digit, -1);
                    if (first != -1 && first != digit) Interlocked.Increment(ref inconsistent);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
                {
                    lock (failures) failures.Add($"request {i}: {e.GetType().Name}: {e.Message}");
                }
            }
        }

        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(Worker)));
        total.Stop();

        var sorted = latencies.Order().ToArray();
        double p50 = sorted[Requests / 2], p99 = sorted[(int)(Requests * 0.99) - 1];
        string summary = $"load test {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {Requests} requests ({Requests / 10} malformed), {Concurrency} concurrent, "
            + $"{total.Elapsed.TotalSeconds:F1} s; latency p50 {p50:F1} ms, p99 {p99:F1} ms; errors {failures.Count}; "
            + $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}";
        TestContext.Out.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
        Assert.That(inconsistent, Is.EqualTo(0), "each of the 20 repeated images gets the same answer every time, however the requests interleave");
        int right = firstAnswer.Where((d, k) => d == labels[k]).Count();
        Assert.That(right, Is.GreaterThanOrEqualTo(18), $"MNIST test images 0-19: {right} of 20 named right");
        Assert.That(server.Running, Is.True);
    }
}
