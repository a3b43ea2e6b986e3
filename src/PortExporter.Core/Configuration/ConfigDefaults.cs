namespace PortExporter.Core.Configuration;

/// <summary>Every default of the config file and the command line, in one place.</summary>
public static class ConfigDefaults
{
    public const string ListenAddress = ":10070";
    public const string TelemetryPath = "/metrics";

    /// <summary>Open HTTP connections at most (<c>--web.max-connections</c>).</summary>
    public const int MaxConnections = 128;
    public const string FirewallExternalSource = "203.0.113.1";
    public const string AuditLog = "/var/log/audit/audit.log";
    public const int ProbeConcurrency = 32;

    /// <summary>Probe connections the whole process has in flight at most (<c>probes.max_in_flight</c>).</summary>
    public const int ProbeMaxInFlight = 64;

    /// <summary><c>/probe</c> requests one client may send at once before the rate limit applies.</summary>
    public const int ProbeClientBurst = 20;

    /// <summary><c>from:</c> ranges per port at most: each is a firewall verdict per scrape and a <c>port_firewall_verdict_info</c> series.</summary>
    public const int MaxFromRanges = 16;

    /// <summary><c>auto_watch.max_ports</c>: auto-watched ports at most; the least recently seen is evicted beyond it.</summary>
    public const int AutoWatchMaxPorts = 512;

    /// <summary><c>auto_watch.min_age</c>: a listener is auto-watched once it has existed this long.</summary>
    public static readonly TimeSpan AutoWatchMinAge = TimeSpan.FromMinutes(2);

    /// <summary><c>auto_watch.forget_after</c>: an auto-watched port whose listener is gone this long is forgotten.</summary>
    public static readonly TimeSpan AutoWatchForgetAfter = TimeSpan.FromHours(1);

    public static readonly TimeSpan FirewallRefreshInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary><c>probes.interval</c>: one probe round this often (jittered by up to a tenth, earlier).</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(15);

    /// <summary>The shortest and longest <c>probes.interval</c> accepted.</summary>
    public static readonly TimeSpan MinProbeInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxProbeInterval = TimeSpan.FromHours(1);

    /// <summary><c>web.min_collection_interval</c>: a collection younger than this is reused by the next scrape.</summary>
    public static readonly TimeSpan MinCollectionInterval = TimeSpan.FromSeconds(1);

    /// <summary>One more <c>/probe</c> request per client per this interval, after the burst (10 a second).</summary>
    public static readonly TimeSpan ProbeClientInterval = TimeSpan.FromMilliseconds(100);

    /// <summary><c>history.max_events</c>: timeline events kept per watched port.</summary>
    public const int HistoryMaxEvents = 100;

    /// <summary><c>history.max_age</c>: timeline events older than this are dropped.</summary>
    public static readonly TimeSpan HistoryMaxAge = TimeSpan.FromDays(7);

    /// <summary>How far before a port's diagnosis turned not-ok its changes are listed under "what changed before it broke".</summary>
    public static readonly TimeSpan HistoryFailureWindow = TimeSpan.FromHours(1);

    /// <summary>Reserved vantage names for the probes this host runs itself.</summary>
    public static readonly IReadOnlySet<string> LocalVantages = new HashSet<string>(StringComparer.Ordinal) { "loopback", "internal", "external" };
}
