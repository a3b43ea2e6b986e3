using System.Text.RegularExpressions;

namespace PortExporter.Tests.Deploy;

/// <summary>The Dockerfile and its build context, as files: what goes into the image and what is privileged in it.</summary>
public sealed partial class ImageBuildTests
{
    [Fact]
    public void Only_the_exporter_has_file_capabilities_and_without_the_effective_bit()
    {
        // A tool such as iptables-save is a link to a multi-call binary (xtables-nft-multi) that acts on argv[0]:
        // capabilities on it would reach every iptables command in the image.
        var call = Assert.Single(ImageFile.SetcapCalls());
        Assert.Equal(ImageFile.ExporterPath, call.File);
        Assert.EndsWith("+p", call.Capabilities, StringComparison.Ordinal);
        Assert.DoesNotContain("e", call.Capabilities[(call.Capabilities.IndexOf('+', StringComparison.Ordinal) + 1)..], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_base_image_comes_from_a_build_argument_documented_with_how_to_pin_its_digest()
    {
        var dockerfile = ImageFile.Dockerfile;
        var froms = From().Matches(dockerfile).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, froms.Count);
        foreach (var from in froms)
        {
            var argument = Assert.IsType<string>(ArgumentOf().Match(from) is { Success: true } m ? m.Groups[1].Value : null);
            Assert.Matches($@"(?m)^ARG {argument}=mcr\.microsoft\.com/dotnet/[a-z-]+:10\.0", dockerfile);
            Assert.Contains($"--build-arg {argument}=", dockerfile, StringComparison.Ordinal);
        }

        Assert.Contains("imagetools inspect", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void The_build_context_holds_only_what_the_build_copies()
    {
        var ignore = File.ReadAllLines(RepositoryFiles.PathOf(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", ignore[0]); // everything out, then the exceptions
        var included = ignore.Where(l => l.StartsWith('!')).Select(l => l[1..].TrimEnd('/')).ToList();
        var copied = Copy().Matches(ImageFile.Dockerfile).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).Select(p => p.TrimEnd('/')).ToList();
        Assert.Equal(copied.Order(StringComparer.Ordinal), included.Order(StringComparer.Ordinal));
        Assert.Contains("src/**/bin/", ignore);
        Assert.Contains("src/**/obj/", ignore);
        Assert.DoesNotContain("COPY . .", ImageFile.Dockerfile, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(?m)^FROM\s+(\S+)")]
    private static partial Regex From();

    [GeneratedRegex(@"^\$\{([A-Z_]+)\}$")]
    private static partial Regex ArgumentOf();

    [GeneratedRegex(@"(?m)^COPY\s+(?!--from)(.+)$")]
    private static partial Regex Copy();
}
