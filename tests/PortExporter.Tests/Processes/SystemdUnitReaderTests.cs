using PortExporter.Core.Commands;
using PortExporter.Core.Processes;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Processes;

public sealed class SystemdUnitReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Reads_each_units_state_when_systemd_answers()
    {
        var runner = new FakeCommandRunner(c => FakeCommandRunner.Succeeded(
            c.Arguments[^1] == "nginx.service" ? "ActiveState=active\nSubState=running\n" : "ActiveState=failed\nSubState=failed\n"));

        var report = await new SystemdUnitReader(runner).ReadAsync(["nginx.service", "bind9.service", "nginx.service"], Timeout, CancellationToken.None);

        Assert.True(report.SystemdAvailable);
        Assert.Null(report.Problem);
        Assert.True(report.Units["nginx.service"].IsActive);
        Assert.Equal(new UnitState("bind9.service", "failed", "failed"), report.Units["bind9.service"]);
        Assert.Equal(
            ["systemctl show --property=ActiveState,SubState -- nginx.service", "systemctl show --property=ActiveState,SubState -- bind9.service"],
            runner.Calls);
    }

    public static TheoryData<string, CommandResult, string> NoAnswer => new()
    {
        { "systemd is not PID 1", SystemctlFixture.NotBooted, "exit 1: System has not been booted with systemd as init system (PID 1). Can't operate." },
        { "no systemctl", CommandResult.NotFound, "systemctl not found" },
        { "timed out", new CommandResult(true, -1, string.Empty, string.Empty, true, false), "timed out" },
        { "garbage", FakeCommandRunner.Succeeded("hello\n"), "no ActiveState/SubState" },
    };

    [Theory]
    [MemberData(nameof(NoAnswer))]
    public async Task Reports_systemd_unavailable_and_no_unit_state_when_it_does_not_answer(string why, CommandResult result, string problem)
    {
        var runner = new FakeCommandRunner(_ => result);

        var report = await new SystemdUnitReader(runner).ReadAsync(["nginx.service", "bind9.service"], Timeout, CancellationToken.None);

        Assert.False(report.SystemdAvailable, why);
        Assert.Empty(report.Units);
        Assert.Contains(problem, report.Problem, StringComparison.Ordinal);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task A_unit_after_an_answered_one_that_gets_no_answer_makes_every_state_unknown()
    {
        var runner = new FakeCommandRunner(c => c.Arguments[^1] == "nginx.service"
            ? FakeCommandRunner.Succeeded("ActiveState=active\nSubState=running\n")
            : new CommandResult(true, -1, string.Empty, string.Empty, true, false));

        var report = await new SystemdUnitReader(runner).ReadAsync(["nginx.service", "bind9.service"], Timeout, CancellationToken.None);

        Assert.False(report.SystemdAvailable);
        Assert.Empty(report.Units);
    }

    [Fact]
    public async Task Does_not_ask_when_no_unit_is_configured()
    {
        var runner = new FakeCommandRunner(_ => throw new InvalidOperationException("must not run"));

        var report = await new SystemdUnitReader(runner).ReadAsync([], Timeout, CancellationToken.None);

        Assert.False(report.SystemdAvailable);
        Assert.Null(report.Problem);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task Never_reports_a_false_inactive_on_this_host()
    {
        // The real systemctl: where systemd is PID 1 (sd_booted: /run/systemd/system exists) it answers with
        // some state; where it is not (this build machine), systemd is unavailable and no state is made up.
        var report = await new SystemdUnitReader(new ProcessCommandRunner()).ReadAsync(["ssh.service"], Timeout, CancellationToken.None);

        var booted = Directory.Exists("/run/systemd/system") && ProcessCommandRunner.FindOnPath("systemctl") is not null;
        Assert.Equal(booted, report.SystemdAvailable);
        Assert.Equal(booted ? 1 : 0, report.Units.Count);
        Assert.Equal(booted, report.Problem is null);
    }
}
