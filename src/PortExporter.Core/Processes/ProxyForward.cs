using System.Globalization;
using System.Net;
using PortExporter.Firewall;

namespace PortExporter.Core.Processes;

/// <summary>
/// Where a userland proxy that holds a published port on the host sends what it accepts: the proxy accepts every
/// connection itself and only then dials the backend, so a client (and a probe) connects even when nothing listens
/// behind it. Read from the proxy's own command line.
/// </summary>
/// <param name="Protocol">The protocol it forwards.</param>
/// <param name="HostPort">The host port it holds.</param>
/// <param name="Backend">The address it dials.</param>
/// <param name="BackendPort">The port it dials.</param>
public sealed record ProxyForward(TransportProtocol Protocol, int HostPort, IPAddress Backend, int BackendPort);

/// <summary>
/// Docker's <c>docker-proxy</c>, as dockerd starts it for each published port
/// (<c>docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80</c>);
/// Go's flag syntax, so <c>-flag value</c>, <c>-flag=value</c> and the same with <c>--</c>. Pure.
/// </summary>
public static class DockerProxyArguments
{
    /// <summary>The forward <paramref name="argv"/> (program first) describes; null when a flag it needs is missing or malformed.</summary>
    public static ProxyForward? Parse(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < argv.Count; i++)
        {
            var arg = argv[i];
            if (!arg.StartsWith('-'))
            {
                continue;
            }

            var name = arg.TrimStart('-');
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                flags[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < argv.Count && !argv[i + 1].StartsWith('-'))
            {
                flags[name] = argv[++i];
            }
        }

        return TransportProtocolNames.TryParse(flags.GetValueOrDefault("proto", "tcp"), out var protocol)
            && Port(flags.GetValueOrDefault("host-port")) is { } hostPort
            && IPAddress.TryParse(flags.GetValueOrDefault("container-ip"), out var backend)
            && Port(flags.GetValueOrDefault("container-port")) is { } backendPort
            ? new ProxyForward(protocol, hostPort, backend, backendPort)
            : null;
    }

    private static int? Port(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;
}
