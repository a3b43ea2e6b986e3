namespace PortExporter.Tests.Browser;

/// <summary>One run of <see cref="HeadlessChromium"/>: what it printed, what it did on the network, how long it took.</summary>
public sealed record BrowserRun(string Stdout, ChromiumNetLog NetLog, TimeSpan Elapsed);
