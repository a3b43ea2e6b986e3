using PortExporter.Core.Configuration;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;
using PortExporter.Firewall;
using PortExporter.Web.Security;

namespace PortExporter.Tests.ParseErrors;

/// <summary>Every parse error outside the firewall library quotes a long raw value by the one clipping rule of <see cref="Clipping"/>.</summary>
public sealed class ParseErrorClippingTests
{
    private static readonly string Long = string.Concat(Enumerable.Range(0, 500).Select(i => (char)('a' + (i % 26))));

    private static readonly string Clipped = Clipping.Clip(Long);

    [Fact]
    public void An_selinux_error_quotes_the_clipped_value_and_keeps_the_whole_one()
    {
        var e = new SelinuxFormatException("semanage port -l", "line 3", Long, "expected a port type");
        Assert.Equal($"semanage port -l: line 3: expected a port type (got '{Clipped}')", e.Message);
        Assert.Equal(Long, e.RawValue);
    }

    [Fact]
    public void A_procfs_error_quotes_the_clipped_value()
    {
        var e = new ProcfsFormatException("/proc/net/tcp", 2, "inode", Long, "a decimal number");
        Assert.Equal($"/proc/net/tcp line 2: field inode: expected a decimal number, got '{Clipped}'", e.Message);
        Assert.Equal(Clipped, e.RawValue);
    }

    [Fact]
    public void A_config_error_names_a_long_unknown_key_clipped()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"web:\n  {Long}: 1\n", "bad.yml"));
        Assert.Equal($"web.{Clipped}", e.Key);
        Assert.DoesNotContain(Long, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_web_config_error_quotes_a_long_header_name_clipped()
    {
        var e = Assert.Throws<ConfigException>(() => WebConfigParser.Parse($"http_server_config:\n  headers:\n    {Long}: x\n", "web.yml"));
        Assert.Equal($"http_server_config.headers.{Clipped}", e.Key);
        Assert.Contains($"HTTP header '{Clipped}' can not be configured", e.Message, StringComparison.Ordinal);
    }
}
