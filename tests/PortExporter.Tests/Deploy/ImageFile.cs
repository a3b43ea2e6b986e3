using System.Text.RegularExpressions;

namespace PortExporter.Tests.Deploy;

/// <summary>What the Dockerfile does to the files of the runtime image, read from the Dockerfile itself.</summary>
public static partial class ImageFile
{
    /// <summary>Where the image puts the exporter.</summary>
    public const string ExporterPath = "/app/port-exporter";

    public static string Dockerfile => File.ReadAllText(RepositoryFiles.PathOf("Dockerfile"));

    /// <summary>Every <c>setcap CAPS FILE</c> of the Dockerfile, as (capability text, file).</summary>
    public static IReadOnlyList<(string Capabilities, string File)> SetcapCalls() =>
        [.. Setcap().Matches(Dockerfile).Select(m => (m.Groups["caps"].Value, m.Groups["file"].Value))];

    /// <summary>The file capabilities the image gives the exporter, in cap_from_text(3) form (what setcap takes).</summary>
    public static string ExporterCapabilities() => Assert.Single(SetcapCalls(), c => c.File == ExporterPath).Capabilities;

    [GeneratedRegex(@"setcap\s+'?(?<caps>[a-z_,]+[=+-][a-z]+)'?\s+""?(?<file>[^\s""]+)""?")]
    private static partial Regex Setcap();
}
