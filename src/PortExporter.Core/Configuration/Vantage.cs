namespace PortExporter.Core.Configuration;

/// <summary>A remote PortExporter whose <c>/probe</c> gives this host the outside view.</summary>
public sealed record Vantage(string Name, Uri Url);
