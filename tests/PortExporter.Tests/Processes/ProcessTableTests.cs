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
    public void Answers_for_no_names_without_reading()
    {
        Assert.Empty(ProcessTable.FindRunning("/nonexistent", [], CancellationToken.None));
    }
}
