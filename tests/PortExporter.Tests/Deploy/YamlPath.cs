using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace PortExporter.Tests.Deploy;

/// <summary>Reads manifests: every document of a YAML text, and nodes by a dotted path such as <c>spec.containers[0].name</c>.</summary>
public static class YamlPath
{
    public static IReadOnlyList<YamlMappingNode> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode)).ToList();
    }

    /// <summary>The node at <paramref name="path"/>; fails the test naming the missing step.</summary>
    public static YamlNode At(YamlNode node, string path) => TryAt(node, path) ?? throw new Xunit.Sdk.XunitException($"no '{path}' in the manifest");

    public static YamlNode? TryAt(YamlNode node, string path)
    {
        YamlNode? current = node;
        foreach (var step in path.Split('.'))
        {
            var name = step;
            int? index = null;
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0)
            {
                name = step[..bracket];
                index = int.Parse(step[(bracket + 1)..^1], CultureInfo.InvariantCulture);
            }

            if (name.Length > 0)
            {
                current = current is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(name), out var child) ? child : null;
            }

            if (index is { } i)
            {
                current = current is YamlSequenceNode seq && i < seq.Children.Count ? seq.Children[i] : null;
            }

            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public static string Scalar(YamlNode node, string path) => Assert.IsType<YamlScalarNode>(At(node, path)).Value ?? string.Empty;

    public static IReadOnlyList<YamlNode> Items(YamlNode node, string path) => Assert.IsType<YamlSequenceNode>(At(node, path)).Children.ToList();

    public static IReadOnlyList<string> Strings(YamlNode node, string path) => Items(node, path).Select(n => Assert.IsType<YamlScalarNode>(n).Value ?? string.Empty).ToList();
}
