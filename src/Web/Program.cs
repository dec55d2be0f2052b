using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Web;

// The page is one component: the y = 2x − 1 model trained and queried inside the browser.
var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<LinePage>("#app");
await builder.Build().RunAsync();
