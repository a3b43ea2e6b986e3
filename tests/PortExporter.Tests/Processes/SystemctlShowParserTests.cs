using PortExporter.Core.Processes;

namespace PortExporter.Tests.Processes;

/// <summary>The output format is systemctl(1)'s "show --property=": one NAME=VALUE line per property (fixtures/systemctl/README.md).</summary>
public sealed class SystemctlShowParserTests
{
    [Theory]
    [InlineData("ActiveState=active\nSubState=running\n", "active", "running", true)]
    [InlineData("SubState=dead\nActiveState=inactive\n", "inactive", "dead", false)]
    [InlineData("ActiveState=failed\r\nSubState=failed\r\n", "failed", "failed", false)]
    [InlineData("ActiveState=activating\nSubState=auto-restart\n", "activating", "auto-restart", false)]
    [InlineData("ActiveState=reloading\nSubState=reload\n", "reloading", "reload", true)]
    [InlineData("Id=nginx.service\nActiveState=active\nSubState=exited\nLoadState=loaded\n", "active", "exited", true)]
    public void Reads_active_and_sub_state(string output, string active, string sub, bool isActive)
    {
        Assert.True(SystemctlShowParser.TryParse("nginx.service", output, out var state));
        Assert.Equal(new UnitState("nginx.service", active, sub), state);
        Assert.Equal(isActive, state.IsActive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ActiveState=active\n")]
    [InlineData("SubState=running\n")]
    [InlineData("ActiveState=\nSubState=running\n")]
    [InlineData("ActiveState=active now\nSubState=running\n")]
    [InlineData("ActiveState=\"active\"\nSubState=running\n")]
    [InlineData("System has not been booted with systemd as init system (PID 1). Can't operate.\n")]
    public void Rejects_output_without_both_states(string output)
    {
        Assert.False(SystemctlShowParser.TryParse("nginx.service", output, out var state));
        Assert.Null(state);
    }

    [Fact]
    public void Rejects_an_enormous_state()
    {
        var output = $"ActiveState={new string('a', SystemctlShowParser.MaxStateLength + 1)}\nSubState=running\n";

        Assert.False(SystemctlShowParser.TryParse("nginx.service", output, out _));
    }
}
