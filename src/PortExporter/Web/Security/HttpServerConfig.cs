namespace PortExporter.Web.Security;

/// <summary><c>http_server_config</c>: HTTP/2 over TLS and the extra response headers.</summary>
/// <param name="Http2">http2 (default true); only has an effect with TLS.</param>
/// <param name="Headers">Headers added to every response, names in their canonical spelling; blank values are left out.</param>
public sealed record HttpServerConfig(bool Http2, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>HTTP/2 on, no extra headers.</summary>
    public static HttpServerConfig Default { get; } = new(true, []);
}
