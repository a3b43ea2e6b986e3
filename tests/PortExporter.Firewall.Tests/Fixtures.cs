namespace PortExporter.Firewall.Tests;

/// <summary>The rulesets captured from the real tools (see fixtures/README.md and fixtures/capture.sh).</summary>
public static class Fixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static string Read(string fixture, string file) => File.ReadAllText(Path.Combine(Root, fixture, file));
}
