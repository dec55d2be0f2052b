using System.Text.Json;
using Engine.Data;

namespace Chapters.Serve;

/// <summary>
/// Reads the body of <c>POST /api/digits/predict</c>: <c>{"pixels": [784 numbers in [0, 1]]}</c>, a 28×28
/// image row by row with ink = 1 (the /digits page averages its 280×280 canvas down to this). Anything
/// else is rejected with a message saying what was expected: a body over <see cref="MaxBytes"/>, text that
/// is not JSON, a missing or non-array "pixels", a count other than 784, a value that is not a number
/// or lies outside [0, 1], and an image with no ink at all (nothing drawn).
/// </summary>
public static class DigitInput
{
    /// <summary>Largest body accepted: 784 numbers with up to ~40 characters each.</summary>
    public const int MaxBytes = 32 * 1024;

    /// <summary>Parses <paramref name="body"/>; true with the pixels, or false with the reason.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out float[] pixels, out string error)
    {
        pixels = [];
        if (body.Length == 0) return Fail("the request body is empty; send {\"pixels\": [784 numbers in [0, 1]]}.", out error);
        if (body.Length > MaxBytes) return Fail($"the request body is {body.Length} bytes; at most {MaxBytes} are accepted.", out error);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 4 }); }
        catch (JsonException e) { return Fail($"the request body is not valid JSON ({e.Message}).", out error); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("pixels", out var array))
                return Fail("expected a JSON object {\"pixels\": [784 numbers in [0, 1]]}.", out error);
            if (array.ValueKind != JsonValueKind.Array)
                return Fail($"\"pixels\" must be an array of {Mnist.Pixels} numbers, got {array.ValueKind}.", out error);
            int count = array.GetArrayLength();
            if (count != Mnist.Pixels)
                return Fail($"\"pixels\" must hold {Mnist.Pixels} numbers (28×28), got {count}.", out error);
            var values = new float[count];
            int i = 0;
            bool ink = false;
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double v))
                    return Fail($"pixel {i} is not a number ({item.ValueKind}).", out error);
                if (!(v >= 0 && v <= 1))
                    return Fail($"pixel {i} is {item.GetRawText()}; every pixel must lie in [0, 1].", out error);
                values[i++] = (float)v;
                ink |= v > 0;
            }
            if (!ink) return Fail("the image is empty: draw a digit first.", out error);
            pixels = values;
            error = "";
            return true;
        }
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
