using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PortExporter.Core.Configuration;

/// <summary>
/// Reads the YAML config file into an <see cref="ExporterConfig"/>. Every problem (unknown key, wrong type,
/// a port outside 1-65535, a duplicate (port, protocol), a bad address) is a <see cref="ConfigException"/>
/// naming the file, line, column, key and what was expected.
/// </summary>
public static partial class ConfigLoader
{
    private static readonly string[] TopLevelKeys = ["ports", "firewall", "selinux", "probes", "probe_targets", "vantages", "web", "auto_watch", "history"];
    private static readonly string[] PortKeys = ["name", "port", "protocol", "process", "unit", "bind", "external", "selinux_type", "expose", "from"];
    private static readonly string[] AutoWatchKeys = ["enabled", "min_age", "forget_after", "max_ports"];
    private static readonly string[] HistoryKeys = ["max_events", "max_age"];
    private static readonly string[] WebKeys = ["min_collection_interval"];
    private static readonly string[] FirewallKeys = ["external_source", "refresh_interval", "command_timeout"];
    private static readonly string[] SelinuxKeys = ["audit_log"];
    private static readonly string[] ProbeKeys = ["enabled", "interval", "timeout", "concurrency", "max_in_flight", "client_rate_limit"];
    private const int MaxProbeTargetHostLength = 253;
    private static readonly string[] RateLimitKeys = ["interval", "burst"];
    private static readonly string[] ProbeTargetKeys = ["name", "address", "port", "protocol", "host"];
    private static readonly string[] VantageKeys = ["name", "url"];

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    public static ExporterConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, $"cannot read config file: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Validates YAML text; <paramref name="file"/> names it in errors.</summary>
    public static ExporterConfig Parse(string text, string file)
    {
        YamlStream stream;
        try
        {
            stream = DepthLimitedYamlParser.Load(text);
        }
        catch (YamlException e)
        {
            throw YamlReader.Invalid(file, e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return ExporterConfig.AutoDiscover with { SourcePath = file };
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ConfigException(file, second.Start.Line, second.Start.Column, "(yaml)", "expected one YAML document");
        }

        var reader = new Reader(file);
        var root = reader.Mapping(stream.Documents[0].RootNode, "(root)");
        reader.RejectUnknown(root, "(root)", TopLevelKeys);

        var ports = reader.Get(root, "ports") is { } portsNode ? ReadPorts(reader, portsNode) : [];
        var firewall = reader.Get(root, "firewall") is { } fw ? ReadFirewall(reader, fw) : FirewallSettings.Default;
        var selinux = reader.Get(root, "selinux") is { } se ? ReadSelinux(reader, se) : SelinuxSettings.Default;
        var probes = reader.Get(root, "probes") is { } pr ? ReadProbes(reader, pr) : ProbeSettings.Default;
        var targets = reader.Get(root, "probe_targets") is { } pt ? ReadProbeTargets(reader, pt) : [];
        var vantages = reader.Get(root, "vantages") is { } va ? ReadVantages(reader, va) : [];
        var web = reader.Get(root, "web") is { } we ? ReadWeb(reader, we) : WebSettings.Default;
        var autoWatch = reader.Get(root, "auto_watch") is { } aw ? ReadAutoWatch(reader, aw) : AutoWatchSettings.Default;
        var history = reader.Get(root, "history") is { } hi ? ReadHistory(reader, hi) : HistorySettings.Default;

        return new ExporterConfig(file, ports, firewall, selinux, probes, targets, vantages) { Web = web, AutoWatch = autoWatch, History = history };
    }

    private static List<PortSpec> ReadPorts(Reader reader, YamlNode node)
    {
        var list = new List<PortSpec>();
        var seenKeys = new Dictionary<PortKey, YamlNode>();
        var seenNames = new HashSet<string>(StringComparer.Ordinal);
        var items = reader.Sequence(node, "ports");
        for (var i = 0; i < items.Children.Count; i++)
        {
            var where = $"ports[{i}]";
            var map = reader.Mapping(items.Children[i], where);
            reader.RejectUnknown(map, where, PortKeys);
            var name = reader.RequiredName(map, where, "name");
            var port = reader.RequiredPort(map, where, "port");
            var protocol = reader.Protocol(map, where);
            var process = reader.OptionalString(map, where, "process");
            var unit = reader.OptionalString(map, where, "unit");
            if (unit is not null && (!UnitName().IsMatch(unit) || unit.StartsWith('-')))
            {
                throw reader.Error(reader.Get(map, "unit")!, $"{where}.unit", "expected a systemd unit name such as nginx.service");
            }

            var bind = reader.OptionalAddress(map, where, "bind");
            var external = reader.OptionalHostPorts(map, where, "external");
            var selinuxType = reader.OptionalString(map, where, "selinux_type");
            if (selinuxType is not null && !SelinuxTypeName().IsMatch(selinuxType))
            {
                throw reader.Error(reader.Get(map, "selinux_type")!, $"{where}.selinux_type", "expected an SELinux type such as http_port_t");
            }

            var key = new PortKey(port, protocol);
            if (seenKeys.ContainsKey(key))
            {
                throw reader.Error(map, where, $"duplicate port {key}: each (port, protocol) may be watched once");
            }

            if (!seenNames.Add(name + "/" + key))
            {
                throw reader.Error(map, $"{where}.name", $"duplicate name '{name}' for {key}");
            }

            var expose = reader.Expose(map, where);
            var from = reader.OptionalNetworks(map, where, "from");
            if (from.Count > ConfigDefaults.MaxFromRanges)
            {
                throw reader.Error(reader.Get(map, "from")!, $"{where}.from", $"at most {ConfigDefaults.MaxFromRanges} ranges (each is a firewall verdict and a port_firewall_verdict_info series), got {from.Count}");
            }

            if (from.GroupBy(r => r).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw reader.Error(reader.Get(map, "from")!, $"{where}.from", $"each range once, got {twice.Key} twice");
            }

            if (expose == PortExpose.Local && from.Count > 0)
            {
                throw reader.Error(reader.Get(map, "from")!, $"{where}.from", "a local port is reachable on the host only; from: applies to expose: public or internal");
            }

            seenKeys[key] = map;
            list.Add(new PortSpec(name, port, protocol, process, unit, bind, external, selinuxType) { Expose = expose, From = from });
        }

        return list;
    }

    private static AutoWatchSettings ReadAutoWatch(Reader reader, YamlNode node)
    {
        const string where = "auto_watch";
        var map = reader.Mapping(node, where);
        reader.RejectUnknown(map, where, AutoWatchKeys);
        var d = AutoWatchSettings.Default;
        return new AutoWatchSettings(
            reader.OptionalBool(map, where, "enabled"),
            reader.OptionalDuration(map, where, "min_age") ?? d.MinAge,
            reader.OptionalDuration(map, where, "forget_after") ?? d.ForgetAfter,
            reader.OptionalInt(map, where, "max_ports", 1, 131_072) ?? d.MaxPorts);
    }

    private static HistorySettings ReadHistory(Reader reader, YamlNode node)
    {
        const string where = "history";
        var map = reader.Mapping(node, where);
        reader.RejectUnknown(map, where, HistoryKeys);
        var d = HistorySettings.Default;
        return new HistorySettings(
            reader.OptionalInt(map, where, "max_events", 1, HistorySettings.MaxMaxEvents) ?? d.MaxEvents,
            reader.OptionalDuration(map, where, "max_age") ?? d.MaxAge);
    }

    private static FirewallSettings ReadFirewall(Reader reader, YamlNode node)
    {
        var map = reader.Mapping(node, "firewall");
        reader.RejectUnknown(map, "firewall", FirewallKeys);
        var d = FirewallSettings.Default;
        return new FirewallSettings(
            reader.OptionalAddress(map, "firewall", "external_source") ?? d.ExternalSource,
            reader.OptionalDuration(map, "firewall", "refresh_interval") ?? d.RefreshInterval,
            reader.OptionalDuration(map, "firewall", "command_timeout") ?? d.CommandTimeout);
    }

    private static WebSettings ReadWeb(Reader reader, YamlNode node)
    {
        var map = reader.Mapping(node, "web");
        reader.RejectUnknown(map, "web", WebKeys);
        var interval = reader.OptionalDuration(map, "web", "min_collection_interval") ?? WebSettings.Default.MinCollectionInterval;
        if (interval > WebSettings.MaxMinCollectionInterval)
        {
            throw reader.Error(reader.Get(map, "min_collection_interval")!, "web.min_collection_interval", "expected a duration of at most 1m");
        }

        return new WebSettings(interval);
    }

    private static SelinuxSettings ReadSelinux(Reader reader, YamlNode node)
    {
        var map = reader.Mapping(node, "selinux");
        reader.RejectUnknown(map, "selinux", SelinuxKeys);
        var log = reader.OptionalString(map, "selinux", "audit_log") ?? SelinuxSettings.Default.AuditLog;
        if (!log.StartsWith('/'))
        {
            throw reader.Error(reader.Get(map, "audit_log")!, "selinux.audit_log", "expected an absolute path");
        }

        return new SelinuxSettings(log);
    }

    private static ProbeSettings ReadProbes(Reader reader, YamlNode node)
    {
        var map = reader.Mapping(node, "probes");
        reader.RejectUnknown(map, "probes", ProbeKeys);
        var d = ProbeSettings.Default;
        var concurrency = reader.OptionalInt(map, "probes", "concurrency", 1, 1024) ?? d.Concurrency;
        var interval = reader.OptionalDuration(map, "probes", "interval") ?? d.Interval;
        if (interval < ConfigDefaults.MinProbeInterval || interval > ConfigDefaults.MaxProbeInterval)
        {
            throw reader.Error(reader.Get(map, "interval")!, "probes.interval", "expected a duration between 1s and 1h");
        }

        // A probe must end within the round's share of the interval, before the next round may start. The default
        // timeout is cut to that share by the round's deadline; a timeout written down that cannot be kept is an error.
        var timeout = reader.OptionalDuration(map, "probes", "timeout") ?? d.Timeout;
        var budget = interval * Probes.ProbeScheduler.RoundBudget;
        if (reader.Get(map, "timeout") is { } timeoutNode && timeout > budget)
        {
            throw reader.Error(
                timeoutNode,
                "probes.timeout",
                string.Create(CultureInfo.InvariantCulture, $"expected at most {Probes.ProbeScheduler.RoundBudget:0.#} x probes.interval ({budget.TotalSeconds:0.###}s for an interval of {interval.TotalSeconds:0.###}s): a probe must end before the next round starts"));
        }

        return new ProbeSettings(
            reader.OptionalBool(map, "probes", "enabled") ?? d.Enabled,
            timeout,
            concurrency)
        {
            Interval = interval,
            MaxInFlight = reader.OptionalInt(map, "probes", "max_in_flight", 1, 4096) ?? d.MaxInFlight,
            ClientRateLimit = reader.Get(map, "client_rate_limit") is { } limit ? ReadClientRateLimit(reader, limit) : d.ClientRateLimit,
        };
    }

    private static ClientRateLimit ReadClientRateLimit(Reader reader, YamlNode node)
    {
        const string where = "probes.client_rate_limit";
        var map = reader.Mapping(node, where);
        reader.RejectUnknown(map, where, RateLimitKeys);
        var d = ClientRateLimit.Default;
        return new ClientRateLimit(
            reader.OptionalDuration(map, where, "interval") ?? d.Interval,
            reader.OptionalInt(map, where, "burst", 1, 100_000) ?? d.Burst);
    }

    private static List<ProbeTarget> ReadProbeTargets(Reader reader, YamlNode node)
    {
        var list = new List<ProbeTarget>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var items = reader.Sequence(node, "probe_targets");
        for (var i = 0; i < items.Children.Count; i++)
        {
            var where = $"probe_targets[{i}]";
            var map = reader.Mapping(items.Children[i], where);
            reader.RejectUnknown(map, where, ProbeTargetKeys);
            var name = reader.RequiredName(map, where, "name");
            if (!names.Add(name))
            {
                throw reader.Error(map, $"{where}.name", $"duplicate probe target name '{name}'");
            }

            var address = reader.RequiredString(map, where, "address");
            if (!HostPort.TryParse(address.Contains(':', StringComparison.Ordinal) && !address.StartsWith('[') ? $"[{address}]:1" : $"{address}:1", out _))
            {
                throw reader.Error(reader.Get(map, "address")!, $"{where}.address", "expected an IP address or a host name");
            }

            var host = reader.OptionalString(map, where, "host");
            if (host is not null && (host.Length is 0 or > MaxProbeTargetHostLength || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':')))
            {
                throw reader.Error(reader.Get(map, "host")!, $"{where}.host", $"expected a host name (letters, digits, '.', '-', '_', ':'), at most {MaxProbeTargetHostLength} characters");
            }

            list.Add(new ProbeTarget(name, address, reader.RequiredPort(map, where, "port"), reader.Protocol(map, where)) { Host = host });
        }

        return list;
    }

    private static List<Vantage> ReadVantages(Reader reader, YamlNode node)
    {
        var list = new List<Vantage>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var items = reader.Sequence(node, "vantages");
        for (var i = 0; i < items.Children.Count; i++)
        {
            var where = $"vantages[{i}]";
            var map = reader.Mapping(items.Children[i], where);
            reader.RejectUnknown(map, where, VantageKeys);
            var name = reader.RequiredName(map, where, "name");
            if (ConfigDefaults.LocalVantages.Contains(name))
            {
                throw reader.Error(reader.Get(map, "name")!, $"{where}.name", $"'{name}' is reserved for this host's own probes; choose another name");
            }

            if (!names.Add(name))
            {
                throw reader.Error(map, $"{where}.name", $"duplicate vantage name '{name}'");
            }

            var urlText = reader.RequiredString(map, where, "url");
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw reader.Error(reader.Get(map, "url")!, $"{where}.url", "expected an http:// or https:// URL of another PortExporter");
            }

            list.Add(new Vantage(name, url));
        }

        return list;
    }

    [GeneratedRegex(@"^[A-Za-z0-9:_.\\@-]{1,256}$")]
    private static partial Regex UnitName();

    [GeneratedRegex(@"^[a-z0-9_]{1,128}$")]
    private static partial Regex SelinuxTypeName();

    [GeneratedRegex(@"^[A-Za-z0-9_.:-]{1,64}$")]
    internal static partial Regex LabelSafeName();


    /// <summary>Typed access to YAML nodes that turns every mismatch into a located error.</summary>
    private sealed class Reader(string file) : YamlReader(file)
    {
        public string RequiredName(YamlMappingNode map, string where, string key)
        {
            var value = RequiredString(map, where, key);
            if (!LabelSafeName().IsMatch(value))
            {
                throw Error(Get(map, key)!, $"{where}.{key}", "expected 1-64 characters of letters, digits, '_', '.', ':' or '-'");
            }

            return value;
        }

        public int RequiredPort(YamlMappingNode map, string where, string key) =>
            OptionalInt(map, where, key, 1, 65535) ?? throw Error(map, $"{where}.{key}", "required key is missing; expected a port number 1-65535");

        public TransportProtocol Protocol(YamlMappingNode map, string where)
        {
            var text = OptionalString(map, where, "protocol");
            if (text is null)
            {
                return TransportProtocol.Tcp;
            }

            return TransportProtocolNames.TryParse(text, out var protocol)
                ? protocol
                : throw Error(Get(map, "protocol")!, $"{where}.protocol", $"expected tcp or udp, got '{text}'");
        }

        public PortExpose Expose(YamlMappingNode map, string where)
        {
            var text = OptionalString(map, where, "expose");
            if (text is null)
            {
                return PortExpose.Public;
            }

            return PortIntentNames.TryParse(text, out var expose)
                ? expose
                : throw Error(Get(map, "expose")!, $"{where}.expose", $"expected public, internal or local, got '{Shorten(text)}'");
        }

        /// <summary>A list of IPv4/IPv6 CIDR ranges (198.51.100.0/24, 2001:db8::/32); empty when the key is absent.</summary>
        public List<IPNetwork> OptionalNetworks(YamlMappingNode map, string where, string key)
        {
            var list = new List<IPNetwork>();
            if (Get(map, key) is not { } node)
            {
                return list;
            }

            var items = Sequence(node, $"{where}.{key}");
            for (var i = 0; i < items.Children.Count; i++)
            {
                var item = items.Children[i];
                if (item is not YamlScalarNode { Value: { } text }
                    || !text.Contains('/', StringComparison.Ordinal)
                    || text.Contains('%', StringComparison.Ordinal)
                    || !IPNetwork.TryParse(text, out var range)
                    || !IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]).Equals(range.BaseAddress))
                {
                    throw Error(item, $"{where}.{key}[{i}]", $"expected an IPv4 or IPv6 CIDR range such as 198.51.100.0/24 (no host bits set), got '{Shorten((item as YamlScalarNode)?.Value ?? string.Empty)}'");
                }

                list.Add(range);
            }

            if (list.Count == 0)
            {
                throw Error(node, $"{where}.{key}", "expected at least one CIDR range (or leave the key out)");
            }

            return list;
        }

        public IPAddress? OptionalAddress(YamlMappingNode map, string where, string key)
        {
            var text = OptionalString(map, where, key);
            if (text is null)
            {
                return null;
            }

            return IPAddress.TryParse(text, out var address) && !text.Contains('%', StringComparison.Ordinal) && !text.Contains('/', StringComparison.Ordinal)
                ? address
                : throw Error(Get(map, key)!, $"{where}.{key}", $"expected an IPv4 or IPv6 address, got '{text}'");
        }

        public List<HostPort>? OptionalHostPorts(YamlMappingNode map, string where, string key)
        {
            var node = Get(map, key);
            if (node is null)
            {
                return null;
            }

            var list = new List<HostPort>();
            var items = node is YamlScalarNode ? [node] : Sequence(node, $"{where}.{key}").Children;
            foreach (var item in items)
            {
                if (item is not YamlScalarNode { Value: { } text } || !HostPort.TryParse(text, out var hostPort))
                {
                    throw Error(item, $"{where}.{key}", $"expected HOST:PORT or [IPv6]:PORT, got '{(item as YamlScalarNode)?.Value}'");
                }

                list.Add(hostPort!);
            }

            return list;
        }
    }
}
