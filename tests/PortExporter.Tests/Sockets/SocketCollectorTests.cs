using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Configuration;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Sockets;

public sealed class SocketCollectorTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("pe-sockets-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Reads_every_table_of_a_procfs_tree()
    {
        var sockets = await CollectAsync(Fixtures.Case("mixed"));

        Assert.Equal(13, sockets.Listeners.Count);
        Assert.Equal(32768, sockets.EphemeralPortStart);
        Assert.Equal(2, sockets.For(new PortKey(8010, TransportProtocol.Tcp)).Count());
        Assert.Empty(sockets.For(new PortKey(8008, TransportProtocol.Tcp)));
        Assert.Equal(IPAddress.Any, Assert.Single(sockets.For(new PortKey(8008, TransportProtocol.Udp))).Address);
        var dualStack = Assert.Single(sockets.For(new PortKey(8004, TransportProtocol.Tcp)));
        Assert.False(dualStack.V6Only);
        Assert.True(dualStack.AcceptsIPv4);
    }

    [Fact]
    public async Task Takes_v6only_from_the_bindv6only_sysctl()
    {
        var sockets = await CollectAsync(Fixtures.Case("bindv6only"));

        var listener = Assert.Single(sockets.Listeners);
        Assert.True(listener.V6Only);
    }

    [Fact]
    public async Task Reads_an_empty_namespace_as_no_listeners()
    {
        var sockets = await CollectAsync(Fixtures.Case("empty"));

        Assert.Empty(sockets.Listeners);
    }

    [Fact]
    public void Missing_ipv6_tables_and_sysctls_are_no_data()
    {
        var procfs = CopyCase("mixed", without: ["net/tcp6", "net/udp6", "sys/net/ipv6/bindv6only", "sys/net/ipv4/ip_local_port_range"]);
        var absent = new List<string>();

        var sockets = SocketTableReader.For(Paths(procfs)).Read(absent.Add, CancellationToken.None);

        Assert.Equal(8, sockets.Listeners.Count);
        Assert.All(sockets.Listeners, l => Assert.False(l.IsIPv6));
        Assert.Equal(SocketTableReader.DefaultEphemeralPortStart, sockets.EphemeralPortStart);
        Assert.Equal(4, absent.Count);
    }

    [Fact]
    public async Task A_wildcard_listener_without_bindv6only_has_unknown_v6only()
    {
        var procfs = CopyCase("bindv6only", without: ["sys/net/ipv6/bindv6only"]);

        var sockets = await CollectAsync(procfs);

        Assert.Null(Assert.Single(sockets.Listeners).V6Only);
    }

    [Theory]
    [InlineData("net/tcp")]
    [InlineData("net/udp")]
    public async Task A_missing_ipv4_table_fails_the_collector(string missing)
    {
        var procfs = CopyCase("mixed", without: [missing]);

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => CollectAsync(procfs));

        Assert.Equal(Path.Combine(procfs, missing), e.FileName);
    }

    [Fact]
    public async Task A_malformed_table_fails_the_collector_naming_the_file()
    {
        var procfs = CopyCase("mixed");
        var udp6 = Path.Combine(procfs, "net", "udp6");
        File.WriteAllText(udp6, File.ReadAllText(udp6)[..200]);

        var e = await Assert.ThrowsAsync<ProcfsFormatException>(() => CollectAsync(procfs));

        Assert.Equal(udp6, e.File);
        Assert.Equal(2, e.LineNumber);
    }

    [Fact]
    public async Task An_enormous_sysctl_fails_without_reading_it_all()
    {
        var procfs = CopyCase("mixed");
        var range = Path.Combine(procfs, "sys", "net", "ipv4", "ip_local_port_range");
        File.WriteAllText(range, new string('1', 1 << 20));

        var e = await Assert.ThrowsAsync<ProcfsFormatException>(() => CollectAsync(procfs));

        Assert.Equal(range, e.File);
        Assert.Contains("at most 256 characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_tables_from_another_net_directory_when_told()
    {
        var collector = new SocketCollector(NullLogger<SocketCollector>.Instance, Path.Combine(Fixtures.Case("bindv6only"), "net"));
        var sockets = await collector.CollectAsync(Context(Fixtures.Case("mixed")), HostFacts.None, CancellationToken.None);

        Assert.Equal(8020, Assert.Single(sockets.Listeners).Port);
        Assert.Equal(CollectorNames.Sockets, collector.Name);
    }

    internal static CollectionContext Context(string procfs) =>
        new(ExporterConfig.AutoDiscover, Paths(procfs), TimeProvider.System, DateTimeOffset.UtcNow.AddSeconds(10));

    private static HostPaths Paths(string procfs) => new(procfs, "/nonexistent/sys", "/nonexistent/root");

    private static async Task<SocketEvidence> CollectAsync(string procfs)
    {
        return await new SocketCollector(NullLogger<SocketCollector>.Instance).CollectAsync(Context(procfs), HostFacts.None, CancellationToken.None);
    }

    private string CopyCase(string name, params string[] without)
    {
        var target = Path.Combine(_scratch, name);
        foreach (var file in Directory.EnumerateFiles(Fixtures.Case(name), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Fixtures.Case(name), file);
            if (without.Contains(relative.Replace('\\', '/')))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }

        return target;
    }
}
