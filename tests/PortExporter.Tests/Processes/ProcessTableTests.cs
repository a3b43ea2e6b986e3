using PortExporter.Core.Processes;

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
        var result = ProcessTable.FindRunning("/nonexistent", ["nginx"], CancellationToken.None, [new ProcessInfo(1, "nginx", "nginx")]);

        Assert.True(result["nginx"]);
    }

    [Fact]
    public void Names_no_known_owner_matches_are_still_searched_and_the_known_comm_is_what_was_read()
    {
        // The owner was read as "sleep" (after an exec, say): "nginx" is not taken from it but searched for.
        var known = new[] { new ProcessInfo(20001, "sleep", null) };

        var result = ProcessTable.FindRunning(_tree.Root, ["nginx", "socat", "sleep"], CancellationToken.None, known);

        Assert.False(result["nginx"]);
        Assert.True(result["socat"]);
        Assert.True(result["sleep"]);
    }

    [Fact]
    public void A_known_owner_that_is_a_zombie_does_not_count()
    {
        _tree.Add(20002, "nginx");
        File.WriteAllText(Path.Combine(_tree.Root, "20002", "stat"), "20002 (nginx) Z 1 20002 20002 0 -1 0");

        var result = ProcessTable.FindRunning(_tree.Root, ["nginx"], CancellationToken.None, [new ProcessInfo(20002, "nginx", null)]);

        Assert.False(result["nginx"]);
    }

    [Fact]
    public void Answers_for_no_names_without_reading()
    {
        Assert.Empty(ProcessTable.FindRunning("/nonexistent", [], CancellationToken.None));
    }
}
