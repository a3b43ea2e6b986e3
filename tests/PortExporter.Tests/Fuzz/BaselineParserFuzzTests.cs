using CsCheck;
using PortExporter.Core.Baseline;
using PortExporter.Core.Configuration;
using PortExporter.Tests.Baseline;

namespace PortExporter.Tests.Fuzz;

/// <summary>Whatever a baseline file holds, reading it ends in a baseline or a <see cref="ConfigException"/> naming the file.</summary>
public sealed class BaselineParserFuzzTests
{
    private const string File = "/etc/port-exporter/baseline.yml";

    private static readonly string Seed = BaselineWriter.Write(BaselineSamples.Of(BaselineSamples.Dns, BaselineSamples.Web));

    [Fact]
    public void Mutated_baselines_fail_only_with_a_config_exception()
    {
        Mutations.Mutated([Seed], [.. Mutations.YamlTokens, "format_version", "host", "ports", "port", "8080/tcp", "99999/udp", "digest", "sha256:", "listeners", "[]", "~", "null"])
            .Fuzz(OnlyConfigException);
    }

    [Fact]
    public void Random_text_fails_only_with_a_config_exception()
    {
        Mutations.Text("format_versionhostportsdigest:-[]{},&*!|>'\"#%?\n\t 0123456789./", 300).Fuzz(OnlyConfigException);
    }

    private static void OnlyConfigException(string text)
    {
        try
        {
            _ = BaselineParser.Parse(text, File, "web-1");
        }
        catch (ConfigException e)
        {
            Assert.StartsWith(File, e.Message, StringComparison.Ordinal);
        }
    }
}
