using System.Globalization;

namespace PortExporter.Tests.EndToEnd;

/// <summary>Looks series up in a Prometheus text exposition.</summary>
public static class MetricsText
{
    /// <summary>The value of the one series named <paramref name="name"/> whose labels include every pair given, or null.</summary>
    public static double? Value(string exposition, string name, params (string Label, string Value)[] labels)
    {
        double? found = null;
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                continue;
            }

            if (labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                if (found is not null)
                {
                    throw new InvalidOperationException($"more than one {name} series matches: {line}");
                }

                found = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return found;
    }

    public static IReadOnlyList<string> Series(string exposition, string name) =>
        [.. exposition.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))];
}
