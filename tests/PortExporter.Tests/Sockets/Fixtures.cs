namespace PortExporter.Tests.Sockets;

/// <summary>Paths of the captured socket fixtures (copied next to the test assembly).</summary>
internal static class Fixtures
{
    /// <summary>A case folder: a procfs-shaped tree with net/{tcp,tcp6,udp,udp6} and sys/net/*.</summary>
    public static string Case(string name) => Path.Combine(AppContext.BaseDirectory, "Sockets", "fixtures", name);

    public static string Table(string caseName, string table) => Path.Combine(Case(caseName), "net", table);

    public static string Text(string caseName, string table) => File.ReadAllText(Table(caseName, table));
}
