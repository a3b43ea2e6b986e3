using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using PortExporter.Hosting;

namespace PortExporter.Web;

/// <summary>
/// <c>--web.diagnose-listen-address</c>: <c>/diagnose</c> (HTML and JSON: process names, PIDs, firewall rules) served
/// on its own address, typically loopback, and answered 404 on the main one, while the main address serves
/// everything but <c>/diagnose</c> and the diagnose address nothing but it. The web config (TLS, basic auth)
/// applies to both. Without the flag, <c>/diagnose</c> is served on the main address as before.
/// </summary>
public static class DiagnoseListener
{
    public const string Path = "/diagnose";

    /// <summary>The connection item that marks a connection accepted on the diagnose address.</summary>
    private const string Tag = "PortExporter.DiagnoseListener";

    /// <summary>Listens on <paramref name="address"/> and marks its connections.</summary>
    public static void Listen(KestrelServerOptions kestrel, ListenAddress address) =>
        Kestrel(kestrel, address, listen => listen.Use(next => connection =>
        {
            connection.Items[Tag] = true;
            return next(connection);
        }));

    /// <summary>Listens on <paramref name="address"/> (every address when it names none).</summary>
    public static void Kestrel(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions>? configure = null)
    {
        configure ??= _ => { };
        if (address.Address is { } ip)
        {
            kestrel.Listen(ip, address.Port, configure);
        }
        else
        {
            kestrel.ListenAnyIP(address.Port, configure);
        }
    }

    /// <summary>Whether the request came in on the diagnose address.</summary>
    public static bool IsDiagnoseConnection(HttpContext http) =>
        http.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(Tag) == true;

    /// <summary>With a diagnose address, answers 404 to /diagnose on the main address and to anything else on the diagnose address.</summary>
    public static WebApplication UseDiagnoseListener(this WebApplication app, ExporterSettings settings)
    {
        if (settings.DiagnoseListenAddress is null)
        {
            return app;
        }

        app.Use((http, next) =>
        {
            if (IsDiagnoseConnection(http) != http.Request.Path.Equals(Path, StringComparison.Ordinal))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(http);
        });
        return app;
    }
}
