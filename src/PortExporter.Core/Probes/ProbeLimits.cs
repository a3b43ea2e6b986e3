namespace PortExporter.Core.Probes;

/// <summary>The fixed bounds of probing and of <c>/probe</c>: what a request, an answer or a plan may never exceed.</summary>
public static class ProbeLimits
{
    /// <summary>Subtracted from <c>X-Prometheus-Scrape-Timeout-Seconds</c> so the answer is written in time (as blackbox_exporter does).</summary>
    public static readonly TimeSpan ScrapeTimeoutOffset = TimeSpan.FromSeconds(0.5);

    /// <summary>The scrape timeout assumed when a <c>/probe</c> request has no usable header.</summary>
    public static readonly TimeSpan DefaultScrapeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A collection that probes itself (the one-shot <c>diagnose</c> verb) stops this long before its deadline, so its evidence is kept.</summary>
    public static readonly TimeSpan CollectionMargin = TimeSpan.FromMilliseconds(100);

    /// <summary>A probe with less time than this before the deadline is skipped, not run and reported as a timeout it never had.</summary>
    public static readonly TimeSpan MinProbeWindow = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest <c>/probe</c> query (sum of key and value lengths).</summary>
    public const int MaxQueryLength = 1024;

    /// <summary>Most query parameters a <c>/probe</c> request may carry.</summary>
    public const int MaxQueryParameters = 8;

    /// <summary>Most probe targets one <c>/probe</c> request may select.</summary>
    public const int MaxTargetsPerRequest = 512;

    /// <summary>Longest piece of a request echoed back in a 400 message.</summary>
    public const int MaxEchoLength = 64;

    /// <summary>Largest <c>/probe</c> answer a remote vantage may send (bytes).</summary>
    public const int MaxAnswerBytes = 1024 * 1024;

    /// <summary>Longest label value accepted from a remote vantage.</summary>
    public const int MaxRemoteLabelLength = 256;

    /// <summary>Most internal addresses probed for one watched port.</summary>
    public const int MaxInternalAddressesPerPort = 4;

    /// <summary>Most lines a debug step log keeps.</summary>
    public const int MaxStepLogLines = 10_000;

    /// <summary>The datagram a UDP probe sends: one newline, the least a line-based service can misread.</summary>
    public static ReadOnlySpan<byte> UdpPayload => "\n"u8;

    /// <summary>Bytes of a UDP answer read (and discarded; only the fact of an answer counts).</summary>
    public const int UdpReceiveBuffer = 2048;
}
