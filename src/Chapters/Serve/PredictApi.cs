using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Web;

namespace Chapters.Serve;

/// <summary>The JSON endpoints and the /digits page of <see cref="WebServer"/>.</summary>
public static class PredictApi
{
    /// <summary>Adds the endpoints to <paramref name="app"/>.</summary>
    public static void Map(WebApplication app, DigitModel digits, LineModel line)
    {
        string page = DigitsPage.Html(digits.Description);
        app.MapGet("/digits", () => Results.Content(page, "text/html; charset=utf-8"));
        app.MapGet("/api/health", () => Results.Json(new { status = "ok", digitModel = digits.Description, lineEpochs = line.Epoch }));

        app.MapGet("/api/line/predict", (HttpRequest request) =>
        {
            string? text = request.Query["x"];
            if (!NumberInput.TryParse(text, out double x, out string error)) return Error(StatusCodes.Status400BadRequest, error);
            return Results.Json(new { x, y = line.Predict(x) });
        });

        app.MapPost("/api/digits/predict", async (HttpRequest request) =>
        {
            if (!request.HasJsonContentType())
                return Error(StatusCodes.Status415UnsupportedMediaType, $"send the image as JSON (Content-Type: application/json), got {request.ContentType ?? "no content type"}.");
            if (request.ContentLength > DigitInput.MaxBytes)
                return Error(StatusCodes.Status413PayloadTooLarge, $"the request body is {request.ContentLength} bytes; at most {DigitInput.MaxBytes} are accepted.");
            byte[]? body = await ReadAtMost(request.Body, DigitInput.MaxBytes, request.HttpContext.RequestAborted);
            if (body is null)
                return Error(StatusCodes.Status413PayloadTooLarge, $"the request body is over {DigitInput.MaxBytes} bytes.");
            if (!DigitInput.TryRead(body, out float[] pixels, out string error)) return Error(StatusCodes.Status400BadRequest, error);
            float[] p = digits.Predict(pixels);
            int digit = Array.IndexOf(p, p.Max());
            return Results.Json(new { digit, probabilities = p });
        });
    }

    /// <summary>The whole body, or null as soon as it passes <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadAtMost(Stream body, int limit, CancellationToken cancel)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await body.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + n > limit) return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
