using PortExporter.Core;
using PortExporter.Core.Selinux;

namespace PortExporter.Tests.Selinux;

public sealed class SelinuxHostReaderTests
{
    [Theory]
    [InlineData("enforcing", true, SelinuxMode.Enforcing, SelinuxMode.Enforcing)]
    [InlineData("permissive", true, SelinuxMode.Permissive, SelinuxMode.Permissive)]
    [InlineData("disabled", false, SelinuxMode.Disabled, SelinuxMode.Disabled)]
    [InlineData("absent", false, SelinuxMode.Disabled, null)]
    public void Reads_selinuxfs_and_the_config_file(string fixture, bool enabled, SelinuxMode current, SelinuxMode? configured)
    {
        var state = SelinuxHostReader.Read(Fixtures.Host(fixture));

        Assert.Equal(enabled, state.Enabled);
        Assert.Equal(current, state.CurrentMode);
        Assert.Equal(configured, state.Config?.Mode);
        Assert.Null(state.ConfigError);
    }

    [Fact]
    public void This_machine_has_no_selinuxfs()
    {
        var state = SelinuxHostReader.Read(HostPaths.Default);

        Assert.False(File.Exists("/sys/fs/selinux/enforce"));
        Assert.False(state.Enabled);
        Assert.Equal(SelinuxMode.Disabled, state.CurrentMode);
    }

    [Theory]
    [InlineData("1", SelinuxMode.Enforcing)]
    [InlineData("0", SelinuxMode.Permissive)]
    [InlineData("1\n", SelinuxMode.Enforcing)]
    public void Parses_enforce(string text, SelinuxMode expected) =>
        Assert.Equal(expected, SelinuxHostReader.ParseEnforce(text, "enforce"));

    [Theory]
    [InlineData("2")]
    [InlineData("")]
    [InlineData("enforcing")]
    public void Rejects_a_bad_enforce_file(string text)
    {
        var e = Assert.Throws<SelinuxFormatException>(() => SelinuxHostReader.ParseEnforce(text, "/sys/fs/selinux/enforce"));

        Assert.Equal("enforce", e.Field);
        Assert.Equal(text, e.RawValue);
    }

    [Fact]
    public void A_broken_config_file_is_reported_not_thrown()
    {
        var root = Fixtures.CopyToTemp("enforcing");
        try
        {
            File.WriteAllText(Path.Combine(root, "root", "etc", "selinux", "config"), "SELINUX=sometimes\n");
            var state = SelinuxHostReader.Read(new HostPaths(Path.Combine(root, "proc"), Path.Combine(root, "sys"), Path.Combine(root, "root")));

            Assert.True(state.Enabled);
            Assert.Null(state.Config);
            Assert.Contains("sometimes", state.ConfigError, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
