using PortExporter.Core.Selinux;

namespace PortExporter.Tests.Selinux;

public sealed class SelinuxConfigParserTests
{
    [Theory]
    [InlineData("enforcing", SelinuxMode.Enforcing)]
    [InlineData("permissive", SelinuxMode.Permissive)]
    [InlineData("disabled", SelinuxMode.Disabled)]
    public void Reads_the_fixture_config_files(string fixture, SelinuxMode expected)
    {
        var config = SelinuxConfigParser.Parse(Fixtures.Text(fixture, "root", "etc", "selinux", "config"), "config");

        Assert.Equal(expected, config.Mode);
        Assert.Equal("targeted", config.PolicyType);
    }

    [Theory]
    [InlineData("SELINUX=Enforcing\n", SelinuxMode.Enforcing, null)]
    [InlineData("  SELINUX = permissive  \nSELINUXTYPE=mls\n", SelinuxMode.Permissive, "mls")]
    [InlineData("SELINUX=disabled\r\nSELINUXTYPE=default\r\n", SelinuxMode.Disabled, "default")]
    [InlineData("# SELINUX=enforcing\nSELINUXTYPE=targeted\n", null, "targeted")]
    [InlineData("SELINUX=permissive\nSELINUX=enforcing\n", SelinuxMode.Permissive, null)]
    [InlineData("SETLOCALDEFS=0\nREQUIREUSERS=0\nAUTORELABEL=1\nnot a key value line\n", null, null)]
    [InlineData("", null, null)]
    public void Follows_selinux_config_5(string text, SelinuxMode? mode, string? type)
    {
        var config = SelinuxConfigParser.Parse(text, "config");

        Assert.Equal(mode, config.Mode);
        Assert.Equal(type, config.PolicyType);
        Assert.Equal(type ?? "targeted", config.EffectivePolicyType);
    }

    [Theory]
    [InlineData("SELINUX=enforce\n", "config:1", "SELINUX", "enforce")]
    [InlineData("\n\nSELINUX=\"enforcing\"\n", "config:3", "SELINUX", "\"enforcing\"")]
    [InlineData("SELINUX=\n", "config:1", "SELINUX", "")]
    [InlineData("SELINUXTYPE=../../etc\n", "config:1", "SELINUXTYPE", "../../etc")]
    [InlineData("SELINUXTYPE=a b\n", "config:1", "SELINUXTYPE", "a b")]
    public void Bad_values_name_the_line_field_and_value(string text, string source, string field, string raw)
    {
        var e = Assert.Throws<SelinuxFormatException>(() => SelinuxConfigParser.Parse(text, "config"));

        Assert.Equal(source, e.Source);
        Assert.Equal(field, e.Field);
        Assert.Equal(raw, e.RawValue);
        Assert.Contains(source, e.Message, StringComparison.Ordinal);
    }
}
