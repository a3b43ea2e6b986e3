using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PortExporter.Web;

/// <summary>
/// Every limit of the HTTP server, in one place. An exporter answers a few scrapers and people; anything much beyond
/// that is a client holding resources, so each default is a small multiple of real use, not Kestrel's (unbounded
/// connections, 100 headers, 30 MB bodies). The README's "HTTP limits" section says why each is what it is.
/// </summary>
public static class WebLimits
{
    /// <summary>Headers one request may carry (Kestrel: 100). Prometheus sends under ten.</summary>
    public const int MaxRequestHeaderCount = 64;

    /// <summary>All request headers together (Kestrel: 32 KiB); room for a long basic-auth header and a few cookies.</summary>
    public const int MaxRequestHeadersTotalSize = 16 * 1024;

    /// <summary>The request line (Kestrel: 8 KiB); a <c>/probe</c> query is at most 1 KiB.</summary>
    public const int MaxRequestLineSize = 4 * 1024;

    /// <summary>Request bodies: nothing the exporter serves reads one (Kestrel: 30 MB).</summary>
    public const long MaxRequestBodySize = 4 * 1024;

    /// <summary>Time from the connection (or the previous response) to the end of the request headers (Kestrel: 30 s): a client that trickles them is dropped.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this (Kestrel: 130 s); above the usual 60 s scrape interval is not needed, Prometheus reconnects.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>HTTP/2 streams one connection may run at once (Kestrel: 100).</summary>
    public const int MaxStreamsPerConnection = 16;

    /// <summary>Applies the limits; <paramref name="maxConnections"/> is <c>--web.max-connections</c>.</summary>
    public static void Apply(KestrelServerOptions kestrel, int maxConnections)
    {
        kestrel.AddServerHeader = false;
        var limits = kestrel.Limits;
        limits.MaxConcurrentConnections = maxConnections;
        limits.MaxConcurrentUpgradedConnections = 0;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalSize;
        limits.MaxRequestLineSize = MaxRequestLineSize;
        limits.MaxRequestBodySize = MaxRequestBodySize;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.Http2.MaxStreamsPerConnection = MaxStreamsPerConnection;
        limits.Http2.MaxRequestHeaderFieldSize = MaxRequestHeadersTotalSize;
    }
}
