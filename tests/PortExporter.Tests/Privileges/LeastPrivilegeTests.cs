using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Privileges;

/// <summary>
/// The exporter as <c>nobody</c> next to a listener owned by root. With CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE and
/// CAP_NET_ADMIN it sees the same listeners and owners as root. With fewer, it still sees every listener (the socket
/// tables are world-readable) but cannot name the owning process of another user's socket: the <c>process</c> label
/// is empty and <c>port_exporter_processes_unreadable</c> and a warning say why, instead of a wrong or missing answer.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class LeastPrivilegeTests : IDisposable
{
    private static readonly string[] OwnerFamilies = ["port_listening", "port_listener_info", "port_exposed", "port_process_running"];

    private readonly Netns _ns = new("rpriv");
    private readonly NonRootExporter _copy = new();
    private readonly ITestOutputHelper _output;
    private readonly string _config;

    public LeastPrivilegeTests(ITestOutputHelper output)
    {
        _output = output;
        _ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        _ns.Start("socat", "UDP4-RECVFROM:5353,bind=127.0.0.1,fork", "SYSTEM:echo dns");
        _ns.WaitForListener(8080);
        _ns.WaitForListener(5353, udp: true);
        _config = _copy.File("config.yml", """
            ports:
              - name: web
                port: 8080
                process: socat
              - name: dns
                port: 5353
                protocol: udp
                process: socat
            """);
    }

    [Fact]
    public async Task Nobody_with_the_capabilities_sees_the_same_listeners_and_owners_as_root()
    {
        var root = await ScrapeAsync(null, 0UL);
        Assert.Equal(1, Value(root, "port_listener_info", ("service", "web"), ("process", "socat")));
        Assert.Equal(1, Value(root, "port_listener_info", ("service", "dns"), ("process", "socat")));

        var nobody = await ScrapeAsync(NonRootExporter.FullCapabilities, NonRootExporter.Mask(NonRootExporter.FullCapabilities));
        foreach (var family in OwnerFamilies)
        {
            Assert.Equal(Series(root, family), Series(nobody, family));
        }

        // Even root may not read every process (one whose capabilities exceed its own, such as a sandbox's init):
        // the non-root exporter reads no fewer.
        var rootUnreadable = Value(root, "port_exporter_processes_unreadable");
        var nobodyUnreadable = Value(nobody, "port_exporter_processes_unreadable");
        _output.WriteLine($"unreadable processes: root {rootUnreadable}, nobody with the capabilities {nobodyUnreadable}");
        Assert.True(nobodyUnreadable <= rootUnreadable, $"nobody could not read {nobodyUnreadable} processes, root {rootUnreadable}");
    }

    [Theory]
    [InlineData("shipped")]
    [InlineData("none")]
    public async Task Nobody_with_fewer_capabilities_says_which_owners_it_could_not_read(string set)
    {
        var capabilities = set == "shipped" ? NonRootExporter.ShippedCapabilities : [];
        using var exporter = Start(capabilities, NonRootExporter.Mask(capabilities));
        var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1, _output))[0];

        Assert.Equal(1, Value(body, "port_listening", ("service", "web")));
        Assert.Equal(1, Value(body, "port_listener_info", ("service", "web"), ("address", "0.0.0.0"), ("process", "")));
        Assert.Equal(1, Value(body, "port_listener_info", ("service", "dns"), ("address", "127.0.0.1"), ("process", "")));
        Assert.Equal(1, Value(body, "port_process_running", ("service", "web")));
        Assert.Equal(1, Exposition.Success(body, "processes"));
        var unreadable = Value(body, "port_exporter_processes_unreadable");
        _output.WriteLine($"{set}: {unreadable} processes unreadable");
        Assert.True(unreadable > 0, $"port_exporter_processes_unreadable is {unreadable}");
        Assert.Contains(exporter.Log, l => l.Contains("level=warn", StringComparison.Ordinal) && l.Contains("could not be read", StringComparison.Ordinal));

        // Without CAP_NET_ADMIN the firewall collector, where wired, cannot read the ruleset (see FirewallPrivilegeTests).
        Exposition.AssertOthersSucceeded(body, set == "none" ? [CollectorNames.Firewall] : []);
    }

    [Fact]
    public async Task Processes_it_cannot_read_do_not_count_once_every_owner_is_found()
    {
        // A listener of nobody's own: nobody reads its own processes' fds without any capability, while root's
        // processes (scanned before it, lower pids) stay unreadable. Every owner found, they hid nothing.
        _ns.Start("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "socat", "TCP-LISTEN:8081,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo own");
        _ns.WaitForListener(8081);
        var config = _copy.File("own.yml", """
            ports:
              - name: own
                port: 8081
            """);
        using var exporter = new RunningExporter(_ns, ["--config.file", config], prefix: NonRootExporter.AsNobody([]), command: _copy.Command);
        var body = (await DeadlineScrapes.ScrapeAsync(exporter, 1, _output))[0];

        Assert.Equal(1, Value(body, "port_listener_info", ("service", "own"), ("process", "socat")));
        Assert.Equal(0, Value(body, "port_exporter_processes_unreadable"));
    }

    public void Dispose()
    {
        _copy.Dispose();
        _ns.Dispose();
    }

    private async Task<string> ScrapeAsync(string[]? capabilities, ulong mask)
    {
        using var exporter = Start(capabilities, mask);
        return (await DeadlineScrapes.ScrapeAsync(exporter, 1, _output))[0];
    }

    /// <summary>Starts the copy as root (null) or as nobody with <paramref name="capabilities"/>, and checks it got exactly those.</summary>
    private RunningExporter Start(string[]? capabilities, ulong mask)
    {
        var exporter = new RunningExporter(
            _ns, ["--config.file", _config], prefix: capabilities is null ? null : NonRootExporter.AsNobody(capabilities), command: _copy.Command);
        if (capabilities is not null)
        {
            Assert.StartsWith("65534", exporter.StatusText("Uid"), StringComparison.Ordinal);
            Assert.Equal(mask, ulong.Parse(exporter.StatusText("CapEff"), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }

        return exporter;
    }
}
