using NUnit.Framework;
namespace Engine.Tests.Web;

/// <summary>Stops the shared `chapters serve` and browser after the web tests.</summary>
[SetUpFixture]
public sealed class WebTestsTeardown
{
    [OneTimeTearDown]
    public void StopAll()
    {
        Browser.StopShared();
        ServeProcess.StopShared();
    }
}
