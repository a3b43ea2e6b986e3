using PortExporter.Core.Processes;

namespace PortExporter.Tests.Processes;

public sealed class SocketOwnerResolverTests : IDisposable
{
    // Listener inodes of the "mixed" capture and the pid ss -p named for each (Sockets/fixtures/mixed/ss-tuanpe.txt).
    private static readonly Dictionary<ulong, int> CapturedOwners = SsOwners();
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ProcTree _tree = new();
    private readonly SocketOwnerResolver _resolver = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Finds_the_owner_ss_found_for_every_listener()
    {
        var owners = _resolver.Resolve(_tree.Root, CapturedOwners.Keys, Now, CancellationToken.None);

        Assert.Equal(13, CapturedOwners.Count);
        Assert.Equal(CapturedOwners.OrderBy(o => o.Key), owners.ByInode.ToDictionary(o => o.Key, o => o.Value.Pid).OrderBy(o => o.Key));
        Assert.Equal(0, owners.UnreadableProcesses);
    }

    [Fact]
    public void Reads_comm_and_the_exe_basename()
    {
        var owners = _resolver.Resolve(_tree.Root, [60001UL, 60025UL], Now, CancellationToken.None).ByInode;

        Assert.Equal(new ProcessInfo(13997, "socat", "socat"), owners[60001]);
        Assert.Equal(new ProcessInfo(14010, "portexporter-lo", "portexporter-long-name-listener"), owners[60025]);
        Assert.Equal("portexporter-lo", owners[60025].DisplayName);
    }

    [Fact]
    public void Stops_scanning_once_every_inode_is_found()
    {
        var first = _resolver.Resolve(_tree.Root, [60001UL], Now, CancellationToken.None);
        var unknown = new SocketOwnerResolver().Resolve(_tree.Root, [1UL], Now, CancellationToken.None);

        Assert.Equal(1, first.ScannedProcesses);
        Assert.Empty(unknown.ByInode);
        Assert.Equal(19, unknown.ScannedProcesses);
    }

    [Fact]
    public void Answers_from_the_cache_after_checking_the_one_link()
    {
        _resolver.Resolve(_tree.Root, CapturedOwners.Keys, Now, CancellationToken.None);

        var again = _resolver.Resolve(_tree.Root, CapturedOwners.Keys, Now, CancellationToken.None);

        Assert.Equal(0, again.ScannedProcesses);
        Assert.Equal(13, again.ByInode.Count);
    }

    [Fact]
    public void Does_not_trust_the_cache_when_the_socket_moved_to_another_process()
    {
        _resolver.Resolve(_tree.Root, [60001UL], Now, CancellationToken.None);
        _tree.Link("13997/fd/5", "socket:[99999]");
        _tree.Add(20000, "nginx", ("7", "socket:[60001]"));

        var owners = _resolver.Resolve(_tree.Root, [60001UL], Now, CancellationToken.None);

        Assert.Equal(new ProcessInfo(20000, "nginx", null), owners.ByInode[60001]);
        Assert.True(owners.ScannedProcesses > 0);
    }

    [Fact]
    public void Forgets_an_owner_that_exited()
    {
        _resolver.Resolve(_tree.Root, [60001UL], Now, CancellationToken.None);
        _tree.Remove(13997);

        var owners = _resolver.Resolve(_tree.Root, [60001UL], Now, CancellationToken.None);

        Assert.Empty(owners.ByInode);
    }

    [Fact]
    public void A_process_that_vanishes_mid_scan_is_skipped_not_counted_unreadable()
    {
        // A pid directory without fd/ or comm is what a process that exits between readdir and open leaves.
        Directory.CreateDirectory(Path.Combine(_tree.Root, "1"));

        var owners = _resolver.Resolve(_tree.Root, [1UL], Now, CancellationToken.None);

        Assert.Empty(owners.ByInode);
        Assert.Equal(0, owners.UnreadableProcesses);
        Assert.Equal(19, owners.ScannedProcesses);
    }

    [Fact]
    public void Does_not_search_again_for_an_inode_no_process_held_until_the_retry_time()
    {
        var resolver = new SocketOwnerResolver(TimeSpan.FromMinutes(1));
        var first = resolver.Resolve(_tree.Root, [60001UL, 424242UL], Now, CancellationToken.None);
        _tree.Add(20000, "wg-keepalive", ("3", "socket:[424242]"));

        var soon = resolver.Resolve(_tree.Root, [60001UL, 424242UL], Now.AddSeconds(59), CancellationToken.None);
        var later = resolver.Resolve(_tree.Root, [60001UL, 424242UL], Now.AddSeconds(60), CancellationToken.None);

        Assert.Equal(19, first.ScannedProcesses);
        Assert.Equal([60001UL], soon.ByInode.Keys);
        Assert.Equal(0, soon.ScannedProcesses);
        Assert.Equal(20000, later.ByInode[424242].Pid);
        Assert.Equal(20, later.ScannedProcesses);
    }

    [Fact]
    public void A_new_socket_is_searched_at_once_even_while_another_stays_unowned()
    {
        _resolver.Resolve(_tree.Root, [424242UL], Now, CancellationToken.None);

        var owners = _resolver.Resolve(_tree.Root, [424242UL, 60025UL], Now.AddSeconds(1), CancellationToken.None);

        Assert.Equal(14010, owners.ByInode[60025].Pid);
        Assert.False(owners.ByInode.ContainsKey(424242));
    }

    [Fact]
    public void Asking_for_nothing_reads_nothing()
    {
        var owners = _resolver.Resolve(_tree.Root, [], Now, CancellationToken.None);

        Assert.Empty(owners.ByInode);
        Assert.Equal(0, owners.ScannedProcesses);
    }

    private static Dictionary<ulong, int> SsOwners()
    {
        var ss = Path.Combine(AppContext.BaseDirectory, "Sockets", "fixtures", "mixed", "ss-tuanpe.txt");
        var owners = new Dictionary<ulong, int>();
        foreach (var line in File.ReadLines(ss).Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields[1] is "LISTEN" or "UNCONN")
            {
                var pid = fields.Single(f => f.StartsWith("users:", StringComparison.Ordinal)).Split("pid=")[1].Split(',')[0];
                var inode = fields.Single(f => f.StartsWith("ino:", StringComparison.Ordinal))[4..];
                owners[ulong.Parse(inode, System.Globalization.CultureInfo.InvariantCulture)] = int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return owners;
    }
}
