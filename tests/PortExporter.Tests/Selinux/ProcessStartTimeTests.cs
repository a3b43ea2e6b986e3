using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Selinux;

public sealed class ProcessStartTimeTests
{
    [Fact]
    public void Reads_the_captured_socat_start_time()
    {
        var paths = Fixtures.Host("enforcing");

        var boot = ProcessStartTime.ReadBootTime(paths);
        var started = ProcessStartTime.Read(paths, boot!.Value, 30126);

        Assert.Equal(1795635491, boot);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_637_980_710), started);
    }

    [Fact]
    public void Finds_starttime_after_a_command_name_with_spaces_and_parentheses()
    {
        const string stat = "42 (a) b (c)) S 1 42 42 0 -1 4194560 463 0 0 0 0 0 0 0 20 0 1 0 12345 10592256 1167 18446744073709551615";

        Assert.Equal(new ProcStat('S', 12345), ProcStat.Parse(stat, "stat"));
    }

    [Fact]
    public void A_gone_process_has_no_start_time() =>
        Assert.Null(ProcessStartTime.Read(Fixtures.Host("enforcing"), 1795635491, 999999));

    [Theory]
    [InlineData("42 nocomm S 1", "comm")]
    [InlineData("42 (x) S 1 2 3", "starttime")]
    [InlineData("42 (x) SLEEP 1 2 3", "state")]
    [InlineData("42 (x) S 1 42 42 0 -1 4194560 463 0 0 0 0 0 0 0 20 0 1 0 soon 10592256", "starttime")]
    public void Bad_stat_lines_name_the_field(string stat, string field) =>
        Assert.Equal(field, Assert.Throws<ProcfsFormatException>(() => ProcStat.Parse(stat, "stat")).Field);

    [Theory]
    [InlineData("cpu  1 2 3\nintr 5\n")]
    [InlineData("btime yesterday\n")]
    public void Bad_proc_stat_names_btime(string text) =>
        Assert.Equal("btime", Assert.Throws<SelinuxFormatException>(() => ProcessStartTime.ParseBootTime(text, "/proc/stat")).Field);
}
