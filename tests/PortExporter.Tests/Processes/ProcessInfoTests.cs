using PortExporter.Core.Processes;

namespace PortExporter.Tests.Processes;

public sealed class ProcessInfoTests
{
    [Theory]
    [InlineData("nginx", "nginx", "nginx", true)]
    [InlineData("nginx: worker", "nginx", "nginx", true)]
    [InlineData("nginx", null, "nginx", true)]
    [InlineData("nginx", null, "ngin", false)]
    [InlineData("nginx", null, "NGINX", false)]
    // comm cut to 15 characters by the kernel, exe the full name: exe decides.
    [InlineData("portexporter-lo", "portexporter-long-name-listener", "portexporter-long-name-listener", true)]
    [InlineData("portexporter-lo", "portexporter-long-name-listener", "portexporter-long-name-other", false)]
    // exe not readable: the cut comm is all there is.
    [InlineData("portexporter-lo", null, "portexporter-long-name-other", true)]
    // A script under an interpreter: comm is the script's cut name, exe the interpreter's.
    [InlineData("metrics-collect", "python3.11", "metrics-collector.py", true)]
    // A comm shorter than 15 was not cut.
    [InlineData("short", null, "short-and-longer-than-15", false)]
    public void Matches_comm_exe_or_a_cut_comm(string comm, string? exe, string expected, bool matches)
    {
        Assert.Equal(matches, new ProcessInfo(1, comm, exe).Matches(expected));
    }
}
