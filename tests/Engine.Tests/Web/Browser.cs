using Microsoft.Playwright;
using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>
/// Debian's headless Chromium (/usr/bin/chromium, `apt-get install chromium`; scripts/install-deps.sh
/// installs it) driven by Microsoft.Playwright, whose driver ships in its NuGet package: no browser is
/// downloaded. Without the executable the browser tests fail under CI (CI=true) with a message saying
/// what to install, and are ignored with that message elsewhere — they never pass without running.
/// </summary>
public static class Browser
{
    /// <summary>The Chromium the tests drive.</summary>
    public const string Executable = "/usr/bin/chromium";

    private static readonly Lock Gate = new();
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    /// <summary>The shared browser, launched on first use (headless, --no-sandbox as the tests may run as root).</summary>
    public static IBrowser Shared
    {
        get
        {
            lock (Gate)
            {
                if (_browser is not null) return _browser;
                RequireChromium();
                _playwright = Playwright.CreateAsync().GetAwaiter().GetResult();
                _browser = _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
                {
                    ExecutablePath = Executable,
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                    Timeout = 120_000,
                }).GetAwaiter().GetResult();
                return _browser;
            }
        }
    }

    /// <summary>A new page of <see cref="Shared"/> in its own context, sized like a laptop screen.</summary>
    public static async Task<IPage> NewPageAsync()
    {
        var context = await Shared.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 720 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        return page;
    }

    /// <summary>Fails (CI) or ignores (elsewhere) the test when Chromium is not installed.</summary>
    public static void RequireChromium()
    {
        if (MissingMessage(Executable) is not { } message) return;
        if (FailsUnder(Environment.GetEnvironmentVariable("CI"))) Assert.Fail(message);
        Assert.Ignore(message);
    }

    /// <summary>What to install when <paramref name="executable"/> is missing; null when it is there.</summary>
    public static string? MissingMessage(string executable) => File.Exists(executable) ? null
        : $"browser tests need Debian's Chromium at {executable}: run `apt-get install -y chromium` (scripts/install-deps.sh does).";

    /// <summary>True under CI (CI=true): a missing browser fails the browser tests instead of skipping them.</summary>
    public static bool FailsUnder(string? ci) => string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Closes the browser and the driver.</summary>
    public static void StopShared()
    {
        lock (Gate)
        {
            _browser?.CloseAsync().GetAwaiter().GetResult();
            _playwright?.Dispose();
            (_browser, _playwright) = (null, null);
        }
    }
}
