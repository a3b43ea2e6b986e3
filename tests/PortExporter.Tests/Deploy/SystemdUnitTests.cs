using System.Globalization;
using System.Text.RegularExpressions;
using PortExporter.Core.Configuration;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Deploy;

public sealed partial class SystemdUnitTests
{
    private static readonly string UnitFile = RepositoryFiles.PathOf("deploy/systemd/port-exporter.service");
    private static readonly SystemdUnit Unit = SystemdUnit.Parse(File.ReadAllText(UnitFile));

    private static string Service(string key) => Unit.Value("Service", key);

    [Fact]
    public void The_unit_has_the_three_sections()
    {
        Assert.Equal(["Unit", "Service", "Install"], Unit.Sections);
        Assert.Equal("multi-user.target", Unit.Value("Install", "WantedBy"));
    }

    [Fact]
    public void It_runs_as_a_dedicated_user_never_root()
    {
        Assert.Equal("port-exporter", Service("User"));
        Assert.Equal("port-exporter", Service("Group"));
        var sysusers = File.ReadAllText(RepositoryFiles.PathOf("deploy/systemd/port-exporter.sysusers"));
        Assert.Matches(@"(?m)^u port-exporter - ", sysusers);
    }

    [Fact]
    public void It_gets_exactly_the_two_capabilities_and_can_never_gain_more()
    {
        Assert.Equal(["CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN"], Service("AmbientCapabilities").Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal(["CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN"], Service("CapabilityBoundingSet").Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal("yes", Service("NoNewPrivileges"));
    }

    [Theory]
    [InlineData("ProtectSystem", "strict")]
    [InlineData("ProtectHome", "yes")]
    [InlineData("PrivateTmp", "yes")]
    [InlineData("PrivateDevices", "yes")]
    [InlineData("ProtectKernelTunables", "yes")]
    [InlineData("ProtectKernelModules", "yes")]
    [InlineData("ProtectKernelLogs", "yes")]
    [InlineData("ProtectControlGroups", "yes")]
    [InlineData("ProtectClock", "yes")]
    [InlineData("RestrictNamespaces", "yes")]
    [InlineData("RestrictRealtime", "yes")]
    [InlineData("RestrictSUIDSGID", "yes")]
    [InlineData("LockPersonality", "yes")]
    [InlineData("SystemCallArchitectures", "native")]
    [InlineData("UMask", "0077")]
    public void It_is_hardened(string key, string value)
    {
        Assert.Equal(value, Service(key));
    }

    [Fact]
    public void It_may_open_only_the_socket_families_it_uses()
    {
        Assert.Equal(["AF_INET", "AF_INET6", "AF_NETLINK", "AF_UNIX"], Service("RestrictAddressFamilies").Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal(["@system-service", "~@privileged"], Unit.All("Service", "SystemCallFilter"));
    }

    [Fact]
    public void It_keeps_what_the_evidence_needs_visible()
    {
        // The host's network, every process in /proc, and code generation for the .NET JIT.
        foreach (var key in new[] { "PrivateNetwork", "PrivateUsers", "ProtectProc", "ProcSubset", "MemoryDenyWriteExecute", "DynamicUser" })
        {
            Assert.Empty(Unit.All("Service", key));
        }
    }

    [Fact]
    public void It_reloads_on_SIGHUP_and_does_not_restart_on_a_bad_config()
    {
        Assert.Equal("/bin/kill -HUP $MAINPID", Service("ExecReload"));
        Assert.Equal("on-failure", Service("Restart"));
        Assert.Equal("2", Service("RestartPreventExitStatus"));
        Assert.StartsWith("/usr/local/bin/port-exporter --config.file=/etc/port-exporter/port-exporter.yml", Service("ExecStart"), StringComparison.Ordinal);
    }

    [Fact]
    public void Systemd_verifies_the_unit_with_the_real_binary()
    {
        using var dir = new TempDir();
        var binary = Path.Combine(AppContext.BaseDirectory, "port-exporter");
        var copy = dir.File("port-exporter.service", File.ReadAllText(UnitFile).Replace("/usr/local/bin/port-exporter", binary, StringComparison.Ordinal));
        var result = Shell.RunAllowFailure("systemd-analyze", "verify", "--man=no", copy);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(string.Empty, result.Stderr.Trim());
    }

    [Fact]
    public void Systemds_exposure_score_is_low()
    {
        var result = Shell.Run("systemd-analyze", "security", "--offline=yes", "--no-pager", UnitFile);
        var match = ExposureLine().Match(result.Stdout);
        Assert.True(match.Success, result.Stdout);
        var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(exposure, 0, 2.5);
    }

    [Fact]
    public void It_listens_on_the_exporters_default_port()
    {
        Assert.Equal(":10070", ConfigDefaults.ListenAddress);
        Assert.DoesNotContain("--web.listen-address", Service("ExecStart"), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Overall exposure level for port-exporter\.service: (\d+\.\d+)")]
    private static partial Regex ExposureLine();
}
