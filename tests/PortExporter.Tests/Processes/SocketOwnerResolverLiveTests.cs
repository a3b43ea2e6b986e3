using PortExporter.Core.Processes;
using PortExporter.Core.Sockets;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Processes;

/// <summary>The owner lookup on the real /proc: a socat started by the test must be found for its listener's inode.</summary>
public sealed class SocketOwnerResolverLiveTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly Netns _ns = new("owner");

    public void Dispose() => _ns.Dispose();

    [Fact]
    public void Finds_the_socat_that_holds_a_listening_socket()
    {
        var socat = _ns.Start("socat", "TCP4-LISTEN:9100,bind=127.0.0.1,fork,reuseaddr", "EXEC:cat");
        _ns.WaitForListener(9100);
        var listener = Assert.Single(ProcNetSocketParser.Parse(File.ReadAllText($"/proc/{socat.Id}/net/tcp"), SocketTable.Tcp));
        var resolver = new SocketOwnerResolver();

        var owners = resolver.Resolve("/proc", [listener.Inode], Now, CancellationToken.None);
        var again = resolver.Resolve("/proc", [listener.Inode], Now, CancellationToken.None);

        Assert.Equal(new ProcessInfo(socat.Id, "socat", "socat"), owners.ByInode[listener.Inode]);
        Assert.True(owners.ScannedProcesses > 0);
        Assert.Equal(owners.ByInode, again.ByInode);
        Assert.Equal(0, again.ScannedProcesses);
    }

    [Fact]
    public void Finds_no_owner_for_an_inode_no_process_holds()
    {
        var owners = new SocketOwnerResolver().Resolve("/proc", [ulong.MaxValue], Now, CancellationToken.None);

        Assert.Empty(owners.ByInode);
        Assert.True(owners.ScannedProcesses > 1);
    }
}
