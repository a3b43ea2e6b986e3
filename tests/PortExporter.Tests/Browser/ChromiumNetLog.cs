using System.Text.Json;

namespace PortExporter.Tests.Browser;

/// <summary>
/// What a Chromium net log (<c>--log-net-log</c>) says the browser did on the network: every TCP connection it
/// attempted and every URL it requested. Event type names are looked up in the log's own constants table, so
/// the reader follows the Chromium version that wrote it.
/// </summary>
/// <param name="TcpConnectAttempts">The address (<c>ip:port</c>) of every TCP connection attempt.</param>
/// <param name="Requests">Every URL request started.</param>
public sealed record ChromiumNetLog(IReadOnlyList<string> TcpConnectAttempts, IReadOnlyList<NetLogRequest> Requests)
{
    public static ChromiumNetLog Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var types = doc.RootElement.GetProperty("constants").GetProperty("logEventTypes")
            .EnumerateObject().ToDictionary(p => p.Value.GetInt32(), p => p.Name);
        var connects = new List<string>();
        var requests = new List<NetLogRequest>();
        foreach (var e in doc.RootElement.GetProperty("events").EnumerateArray())
        {
            if (!e.TryGetProperty("params", out var p) || p.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            switch (types.GetValueOrDefault(e.GetProperty("type").GetInt32()))
            {
                case "TCP_CONNECT_ATTEMPT" when p.TryGetProperty("address", out var address):
                    connects.Add(address.GetString()!);
                    break;
                case "URL_REQUEST_START_JOB" when p.TryGetProperty("url", out var url):
                    requests.Add(new NetLogRequest(
                        new Uri(url.GetString()!),
                        p.TryGetProperty("network_isolation_key", out var key) ? key.GetString()! : string.Empty,
                        p.TryGetProperty("request_type", out var type) ? type.GetString()! : string.Empty));
                    break;
            }
        }

        return new ChromiumNetLog(connects, requests);
    }
}
