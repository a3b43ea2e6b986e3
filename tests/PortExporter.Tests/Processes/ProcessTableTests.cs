using PortExporter.Core.Processes;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Processes;

public sealed class ProcessTableTests : IDisposable
{
    private readonly ProcTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("socat", true)]
    [InlineData("sleep", true)]
    [InlineData("portexporter-lo", true)]
    [InlineData("portexporter-long-name-listener", true)]
    [InlineData("portexporter-long-name-other", false)]
    [InlineData("nginx", false)]
    [InlineData("SOCAT", false)]
    [InlineData("soc", false)]
    public void Finds_a_process_by_comm_or_exe_basename(string name, bool running)
    {
        var result = ProcessTable.FindRunning(_tree.Root, [name], CancellationToken.None);

        Assert.Equal(running, result[name]);
    }

    [Fact]
    public void Finds_a_process_by_exe_when_its_comm_differs()
    {
        _tree.Add(20000, "nginx: worker");
        _tree.Link("20000/exe", "/usr/sbin/nginx (deleted)");

        var result = ProcessTable.FindRunning(_tree.Root, ["nginx", "socat"], CancellationToken.None);

        Assert.True(result["nginx"]);
        Assert.True(result["socat"]);
    }

    [Fact]
    public void A_name_a_known_owner_matches_needs_no_scan()
    {
        // The tree is unreadable: only the known process can answer, and its stat says it is alive.
        var result = ProcessTable.FindRunning("/nonexistent", ["nginx"], CancellationToken.None, known: [new ProcessInfo(1, "nginx", "nginx")]);

        Assert.True(result["nginx"]);
    }

    [Fact]
    public void Names_no_known_owner_matches_are_still_searched_and_the_known_comm_is_what_was_read()
    {
        // The owner was read as "sleep" (after an exec, say): "nginx" is not taken from it but searched for.
        var known = new[] { new ProcessInfo(20001, "sleep", null) };

        var result = ProcessTable.FindRunning(_tree.Root, ["nginx", "socat", "sleep"], CancellationToken.None, known: known);

        Assert.False(result["nginx"]);
        Assert.True(result["socat"]);
        Assert.True(result["sleep"]);
    }

    [Fact]
    public void A_known_owner_that_is_a_zombie_does_not_count()
    {
        _tree.Add(20002, "nginx");
        // A zombie's stat line as the kernel wrote it (a forked child that exited unreaped), pid and comm replaced.
        File.WriteAllText(
            Path.Combine(_tree.Root, "20002", "stat"),
            "20002 (nginx) Z 30894 30892 2784 0 -1 4227148 225 0 0 0 0 0 0 0 20 0 1 0 329314 0 0 18446744073709551615 0 0 0 0 0 0 0 16781312 2 1 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");

        var result = ProcessTable.FindRunning(_tree.Root, ["nginx"], CancellationToken.None, known: [new ProcessInfo(20002, "nginx", null)]);

        Assert.False(result["nginx"]);
    }

    [Fact]
    public void Answers_for_no_names_without_reading()
    {
        Assert.Empty(ProcessTable.FindRunning("/nonexistent", [], CancellationToken.None));
    }

    [Fact]
    public void A_process_in_another_network_namespace_does_not_count()
    {
        _tree.Add(20001, "pe-elsewhere");
        _tree.Link("20001/ns/net", "net:[4026532999]");
        _tree.Add(20002, "pe-here");
        _tree.Link("20002/ns/net", "net:[4026531840]");
        _tree.Add(20003, "pe-unreadable");

        var result = ProcessTable.FindRunning(_tree.Root, ["pe-elsewhere", "pe-here", "pe-unreadable"], CancellationToken.None, "net:[4026531840]");

        Assert.False(result["pe-elsewhere"]);
        Assert.True(result["pe-here"]);
        Assert.True(result["pe-unreadable"]);
    }

    [Fact]
    public void A_name_that_runs_only_in_another_namespace_is_told_apart_from_one_that_runs_nowhere()
    {
        _tree.Add(20001, "pe-container");
        _tree.Link("20001/ns/net", "net:[4026532999]");
        _tree.Add(20002, "pe-both");
        _tree.Link("20002/ns/net", "net:[4026532999]");
        _tree.Add(20003, "pe-both");
        _tree.Link("20003/ns/net", "net:[4026531840]");
        var elsewhere = new HashSet<string>();

        var result = ProcessTable.FindRunning(_tree.Root, ["pe-container", "pe-both", "pe-nowhere"], CancellationToken.None, "net:[4026531840]", elsewhere: elsewhere);

        Assert.Equal((false, true, false), (result["pe-container"], result["pe-both"], result["pe-nowhere"]));
        Assert.Equal(["pe-container"], elsewhere);
    }

    [Fact]
    public void The_same_name_in_this_namespace_counts_when_another_namespace_has_it_first()
    {
        _tree.Add(20001, "pe-service");
        _tree.Link("20001/ns/net", "net:[2]");
        _tree.Add(20002, "pe-service");
        _tree.Link("20002/ns/net", "net:[1]");

        Assert.True(ProcessTable.FindRunning(_tree.Root, ["pe-service"], CancellationToken.None, "net:[1]")["pe-service"]);
        Assert.False(ProcessTable.FindRunning(_tree.Root, ["pe-service"], CancellationToken.None, "net:[3]")["pe-service"]);
    }

    [Fact]
    public void A_fixture_tree_has_no_namespace_and_proc_has_this_ones()
    {
        Assert.Null(PortExporter.Core.Sockets.NetworkNamespace.OfNetDirectory(Path.Combine(_tree.Root, "net")));
        Assert.Equal(PortExporter.Core.Sockets.NetworkNamespace.OfThisThread(), PortExporter.Core.Sockets.NetworkNamespace.OfNetDirectory("/proc/net"));
        Assert.Equal(new FileInfo("/proc/1/ns/net").LinkTarget, PortExporter.Core.Sockets.NetworkNamespace.OfNetDirectory("/proc/1/net"));
    }

    [Fact]
    public void A_real_process_in_a_test_namespace_runs_there_and_not_here()
    {
        using var ns = new Netns("proctable");
        var binary = Path.Combine(Path.GetTempPath(), $"pe-ns-{Guid.NewGuid().ToString("N")[..6]}");
        File.Copy("/bin/sleep", binary);
        try
        {
            var process = ns.Start(binary, "30");
            var name = Path.GetFileName(binary);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!File.Exists($"/proc/{process.Id}/comm") || !Directory.EnumerateDirectories("/proc").Any(d => ReadComm(d) == name))
            {
                Assert.True(DateTime.UtcNow < deadline, "the test process did not start");
                Thread.Sleep(20);
            }

            var theirs = Shell.Run("ip", "netns", "exec", ns.Name, "readlink", "/proc/self/ns/net").Stdout.Trim();

            Assert.False(ProcessTable.FindRunning("/proc", [name], CancellationToken.None, PortExporter.Core.Sockets.NetworkNamespace.OfThisThread())[name]);
            Assert.True(ProcessTable.FindRunning("/proc", [name], CancellationToken.None, theirs)[name]);
            Assert.True(ProcessTable.FindRunning("/proc", [name], CancellationToken.None)[name]);
        }
        finally
        {
            File.Delete(binary);
        }
    }

    private static string? ReadComm(string processDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDirectory, "comm")).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
