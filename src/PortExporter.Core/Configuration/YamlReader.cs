using System.Globalization;
using System.Text.RegularExpressions;
using PortExporter.Firewall;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PortExporter.Core.Configuration;

/// <summary>
/// Typed access to the nodes of a YAML file that turns every mismatch into a <see cref="ConfigException"/>
/// with the file, line, column, key and what was expected. Shared by the config file and the web config file;
/// each adds its own typed readers in a subclass.
/// </summary>
/// <param name="file">The file named in errors.</param>
public partial class YamlReader(string file)
{
    /// <summary>The characters of a key name (<see cref="UnknownKey"/>).</summary>
    private static readonly System.Buffers.SearchValues<char> KeyNameChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. ");

    public string File => file;

    public ConfigException Error(YamlNode node, string key, string problem) =>
        new(file, node.Start.Line, node.Start.Column, key, problem);

    public YamlMappingNode Mapping(YamlNode node, string key) =>
        node as YamlMappingNode ?? throw Error(node, key, "expected a mapping (key: value)");

    public YamlSequenceNode Sequence(YamlNode node, string key) =>
        node as YamlSequenceNode ?? throw Error(node, key, "expected a list");

    /// <summary>The value of <paramref name="key"/>, or null when the key is absent or its value is YAML null.</summary>
    public YamlNode? Get(YamlMappingNode map, string key)
    {
        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: var name } && name == key)
            {
                return IsNull(v) ? null : v;
            }
        }

        return null;
    }

    public void RejectUnknown(YamlMappingNode map, string where, string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, _) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? string.Empty;
            if (Array.IndexOf(known, name) < 0)
            {
                throw Error(k, $"{where}.{UnknownKey(name)}", $"unknown key; expected one of: {string.Join(", ", known)}");
            }

            if (!seen.Add(name))
            {
                throw Error(k, $"{where}.{name}", "key given twice");
            }
        }
    }

    /// <summary>
    /// An unknown key as an error names it: whole (clipped) when it could be a key name, a misspelt or misplaced one
    /// (letters, digits, <c>_</c>, <c>-</c>, <c>.</c>, spaces); otherwise only its length. A key with other
    /// characters (<c>$</c>, <c>/</c>, ...) is a value that lost its place, such as a password hash whose key was cut
    /// off, and an error never repeats a secret.
    /// </summary>
    public static string UnknownKey(string name) =>
        KeyLike(name) ? Shorten(name) : $"(not a key name, {name.Length} characters)";

    /// <summary>
    /// A value of a file that may hold secrets, as an error quotes it: whole (clipped) when it has only the
    /// characters of a key name, otherwise only its length (a password hash moved onto the wrong key never shows).
    /// </summary>
    public static string Shown(string value) =>
        KeyLike(value) ? Shorten(value) : $"({value.Length} characters, not shown)";

    private static bool KeyLike(string name) =>
        name.Length > 0 && name.AsSpan().IndexOfAnyExcept(KeyNameChars) < 0;

    /// <summary>
    /// The error for a file the YAML parser refused, at its position. YAML's own messages quote the text they stopped
    /// at (an alias, an anchor, a key): quoted text is named as <see cref="UnknownKey"/> names a key, so a misspelt
    /// key shows and a password hash or inline key never does.
    /// </summary>
    public static ConfigException Invalid(string file, YamlException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Exception inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        var message = QuotedText().Replace(inner.Message, m => $"'{UnknownKey(m.Groups[1].Value)}'");
        return new ConfigException(file, e.Start.Line, e.Start.Column, "(yaml)", $"invalid YAML: {message}");
    }

    /// <summary>Text in single quotes within a message of YAML's, up to the line's end.</summary>
    [GeneratedRegex(@"'([^'\n]*)'?")]
    private static partial Regex QuotedText();


    public string? OptionalString(YamlMappingNode map, string where, string key)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlScalarNode { Value: { } value } || value.Length == 0)
        {
            throw Error(node, $"{where}.{key}", "expected a non-empty string");
        }

        return value;
    }

    public string RequiredString(YamlMappingNode map, string where, string key) =>
        OptionalString(map, where, key) ?? throw Error(map, $"{where}.{key}", "required key is missing");

    /// <summary>A list of non-empty strings; empty when the key is absent.</summary>
    public List<string> OptionalStrings(YamlMappingNode map, string where, string key)
    {
        var list = new List<string>();
        if (Get(map, key) is not { } node)
        {
            return list;
        }

        var items = Sequence(node, $"{where}.{key}");
        for (var i = 0; i < items.Children.Count; i++)
        {
            list.Add(items.Children[i] is YamlScalarNode { Value: { Length: > 0 } s }
                ? s
                : throw Error(items.Children[i], $"{where}.{key}[{i}]", "expected a non-empty string"));
        }

        return list;
    }

    public int? OptionalInt(YamlMappingNode map, string where, string key, int min, int max)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text }
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
        {
            return value;
        }

        throw Error(node, $"{where}.{key}", $"expected an integer {min}-{max}, got '{Shorten((node as YamlScalarNode)?.Value ?? string.Empty)}'");
    }

    public bool? OptionalBool(YamlMappingNode map, string where, string key)
    {
        var node = Get(map, key);
        return node switch
        {
            null => null,
            YamlScalarNode { Value: "true" } => true,
            YamlScalarNode { Value: "false" } => false,
            _ => throw Error(node, $"{where}.{key}", "expected true or false"),
        };
    }

    /// <summary>A Prometheus-style duration: 500ms, 5s, 2m, 1h, 7d.</summary>
    public TimeSpan? OptionalDuration(YamlMappingNode map, string where, string key)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        var match = node is YamlScalarNode { Value: { } text } ? DurationPattern().Match(text) : Match.Empty;
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > 86_400_000 || (match.Groups[2].Value == "d" && n > 36_500))
        {
            throw Error(node, $"{where}.{key}", "expected a positive duration such as 500ms, 5s, 2m, 1h or 7d");
        }

        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
    }

    /// <summary>YAML null: nothing, <c>~</c> or <c>null</c>, unquoted and untagged.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain or ScalarStyle.Any } && node.Tag.IsEmpty;

    /// <summary>A value read from the file, clipped for error messages by the one rule of <see cref="Clipping"/>.</summary>
    public static string Shorten(string s) => Clipping.Clip(s);

    [GeneratedRegex(@"^(\d+)(ms|s|m|h|d)$")]
    private static partial Regex DurationPattern();
}
