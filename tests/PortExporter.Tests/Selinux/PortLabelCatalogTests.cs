using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PortExporter.Core;
using PortExporter.Core.Commands;
using PortExporter.Core.Selinux;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Selinux;

public sealed class PortLabelCatalogTests : IDisposable
{
    private readonly string _root = Fixtures.CopyToTemp("enforcing");

    private HostPaths Paths => new(Path.Combine(_root, "proc"), Path.Combine(_root, "sys"), Path.Combine(_root, "root"));

    private string PortsLocal => Path.Combine(_root, "root", "var", "lib", "selinux", "targeted", "active", "ports.local");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Runs_semanage_once_until_a_source_changes()
    {
        var runner = new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, Fixtures.Text("enforcing", "semanage-port-list.txt"));
        var catalog = new PortLabelCatalog(runner, SelinuxCollectorOptions.Default, NullLogger.Instance);

        for (var i = 0; i < 3; i++)
        {
            await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);
        }

        Assert.Single(runner.Calls);

        // semanage port -a rewrites ports.local (and the binary policy).
        await File.AppendAllTextAsync(PortsLocal, "portcon tcp 8443 system_u:object_r:http_port_t:s0\n");
        File.SetLastWriteTimeUtc(PortsLocal, DateTime.UtcNow.AddMinutes(1));
        var table = await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);

        Assert.Equal(2, runner.Calls.Count);
        Assert.Equal(("http_port_t", PortLabelSource.LocalCustomisation), table.Lookup(new PortKey(8443, TransportProtocol.Tcp)));
    }

    [Fact]
    public async Task A_new_binary_policy_file_triggers_a_refresh()
    {
        var runner = new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, Fixtures.Text("enforcing", "semanage-port-list.txt"));
        var catalog = new PortLabelCatalog(runner, SelinuxCollectorOptions.Default, NullLogger.Instance);
        await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);

        var policyDir = Path.Combine(_root, "root", "etc", "selinux", "targeted", "policy");
        Directory.CreateDirectory(policyDir);
        await File.WriteAllBytesAsync(Path.Combine(policyDir, "policy.33"), [0x8c, 0xff, 0x7c, 0xf9]);
        await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);
        await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);

        Assert.Equal(2, runner.Calls.Count);
    }

    [Fact]
    public async Task A_failed_semanage_falls_back_to_local_entries_and_is_retried_later()
    {
        var runner = new FakeCommandRunner(_ => new CommandResult(true, 1, string.Empty, "ValueError: SELinux policy is not managed or store cannot be accessed.", false, false));
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var options = SelinuxCollectorOptions.Default with { SemanageRetryInterval = TimeSpan.FromMinutes(5) };
        var catalog = new PortLabelCatalog(runner, options, NullLogger.Instance);

        var table = await catalog.GetAsync(Paths, "targeted", true, time, CancellationToken.None);
        await catalog.GetAsync(Paths, "targeted", true, time, CancellationToken.None);

        Assert.False(table.IsComplete);
        Assert.Equal(2, table.Labels.Count);
        Assert.Single(runner.Calls);

        time.Advance(TimeSpan.FromMinutes(6));
        await catalog.GetAsync(Paths, "targeted", true, time, CancellationToken.None);
        Assert.Equal(2, runner.Calls.Count);
    }

    [Fact]
    public async Task Garbage_from_semanage_is_a_failure_not_a_crash()
    {
        var runner = new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, "Traceback (most recent call last):\n");
        var catalog = new PortLabelCatalog(runner, SelinuxCollectorOptions.Default, NullLogger.Instance);

        var table = await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);

        Assert.False(table.IsComplete);
        Assert.Equal(2, table.Labels.Count);
    }

    [Fact]
    public async Task A_slow_semanage_does_not_hold_up_the_collection()
    {
        // semanage answers only when the test lets it, however long the catalog waits.
        var semanageDone = new TaskCompletionSource();
        var runner = new FakeCommandRunner()
            .Answer(AllowedCommand.SemanagePortList, Fixtures.Text("enforcing", "semanage-port-list.txt"))
            .HoldUntil(semanageDone.Task);
        var options = SelinuxCollectorOptions.Default with { LabelRefreshWait = TimeSpan.FromMilliseconds(50) };
        var catalog = new PortLabelCatalog(runner, options, NullLogger.Instance);

        var first = await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);
        Assert.Same(PortLabelTable.Empty, first);
        semanageDone.SetResult();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!catalog.Current.IsComplete && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var later = await catalog.GetAsync(Paths, "targeted", true, TimeProvider.System, CancellationToken.None);
        Assert.True(later.IsComplete);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task Reads_the_old_store_layouts()
    {
        var oldStore = Path.Combine(_root, "root", "etc", "selinux", "targeted", "modules", "active", "ports.local");
        Directory.CreateDirectory(Path.GetDirectoryName(oldStore)!);
        File.Move(PortsLocal, oldStore);
        var catalog = new PortLabelCatalog(new FakeCommandRunner(), SelinuxCollectorOptions.Default, NullLogger.Instance);

        var table = await catalog.GetAsync(Paths, "targeted", false, TimeProvider.System, CancellationToken.None);

        Assert.Equal(oldStore, table.Origin);
        Assert.Equal("http_port_t", table.Resolve(new PortKey(8081, TransportProtocol.Tcp))!.Type);
    }

    [Fact]
    public async Task An_enormous_ports_local_is_refused_not_loaded()
    {
        await using (var stream = new FileStream(PortsLocal, FileMode.Append))
        {
            stream.SetLength(PortLabelCatalog.MaxPortsLocalBytes + 1);
        }

        var catalog = new PortLabelCatalog(new FakeCommandRunner(), SelinuxCollectorOptions.Default, NullLogger.Instance);
        var table = await catalog.GetAsync(Paths, "targeted", false, TimeProvider.System, CancellationToken.None);

        Assert.Empty(table.Labels);
        Assert.Equal("none", table.Origin);
    }
}
