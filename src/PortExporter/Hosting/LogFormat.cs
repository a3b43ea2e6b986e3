namespace PortExporter.Hosting;

/// <summary>--log.format values.</summary>
public enum LogFormat
{
    Logfmt,
    Json,
}
