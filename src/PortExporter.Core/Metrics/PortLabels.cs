using PortExporter.Core.Configuration;

namespace PortExporter.Core.Metrics;

/// <summary>The labels every per-port series starts with: <c>service</c>, <c>port</c>, <c>protocol</c>.</summary>
public static class PortLabels
{
    public static readonly string[] Names = ["service", "port", "protocol"];

    public static string[] Of(PortSpec port, params string[] more) =>
        [port.Name, port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), port.Protocol.ToLabel(), .. more];

    public static string[] With(params string[] more) => [.. Names, .. more];
}
