using NUnit.Framework;

namespace Engine.Tests.Web;

/// <summary>A missing Chromium never lets the browser tests pass silently: a message to install it, a failure under CI.</summary>
[TestFixture, Category("Web")]
public sealed class BrowserRequirementTests
{
    [Test]
    public void AMissingBrowserSaysWhatToInstall()
    {
        Assert.That(Browser.MissingMessage("/nonexistent/chromium"), Does.Contain("apt-get install -y chromium"));
        Assert.That(Browser.MissingMessage(typeof(BrowserRequirementTests).Assembly.Location), Is.Null);
    }

    [TestCase("true", true)]
    [TestCase("TRUE", true)]
    [TestCase(null, false)]
    [TestCase("", false)]
    public void CiTurnsAMissingBrowserIntoAFailure(string? ci, bool fails) => Assert.That(Browser.FailsUnder(ci), Is.EqualTo(fails));
}
