namespace PortExporter.Core.Probes;

/// <summary>The <c>vantage</c> label values of the probes this host runs itself (see <c>ConfigDefaults.LocalVantages</c>).</summary>
public static class ProbeVantageNames
{
    /// <summary>127.0.0.1 and ::1: the case's <c>telnet 127.0.0.1 PORT</c>.</summary>
    public const string Loopback = "loopback";

    /// <summary>The host's own non-loopback addresses: <c>telnet INTERNAL_IP PORT</c>.</summary>
    public const string Internal = "internal";

    /// <summary>The public / NAT addresses from the config's <c>external</c>: <c>telnet EXTERNAL_IP PORT</c>.
    /// Also the vantage of every series <c>/probe</c> answers with.</summary>
    public const string External = "external";

    /// <summary>A probe from the host itself to its own addresses (loopback, internal): the inside view. Every other
    /// vantage (the external address, a remote vantage) is an outside view.</summary>
    public static bool IsInside(string vantage) => vantage is Loopback or Internal;
}
