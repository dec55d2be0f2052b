using System.Net;

namespace Chapters.Serve;

/// <summary>The /digits page: digits.html (embedded in the chapters app) with the model's description filled in.</summary>
public static class DigitsPage
{
    /// <summary>The page's HTML.</summary>
    public static string Html(string modelDescription)
    {
        using var stream = typeof(DigitsPage).Assembly.GetManifestResourceStream("Chapters.Serve.digits.html")
            ?? throw new InvalidOperationException("DigitsPage: the resource Chapters.Serve.digits.html is missing from the chapters assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("{{MODEL}}", WebUtility.HtmlEncode(modelDescription), StringComparison.Ordinal);
    }
}
