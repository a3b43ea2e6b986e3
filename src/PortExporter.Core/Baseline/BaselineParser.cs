using System.Globalization;
using PortExporter.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PortExporter.Core.Baseline;

/// <summary>
/// Reads a baseline file written by <see cref="BaselineWriter"/>. Every problem is a <see cref="ConfigException"/>
/// naming the file, line, column, key and what was expected: YAML that does not parse, a format version this
/// build does not read, another host's file, an unknown or missing key (a truncated file loses its last key,
/// <c>digest</c>, at least), a value outside the vocabulary, or a digest that does not match the content (the file
/// was altered or corrupted after it was written). The version is checked first, so a newer file says so rather
/// than naming a key it added. Pure apart from the text it is given.
/// </summary>
public static class BaselineParser
{
    /// <param name="text">The file's content.</param>
    /// <param name="file">The file named in errors.</param>
    /// <param name="expectedHost">The host the baseline must be for; null to accept any.</param>
    public static SurfaceBaseline Parse(string text, string file, string? expectedHost)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new Reader(file);
        if (text.Length > BaselineFormat.MaxFileBytes)
        {
            throw new ConfigException(file, $"larger than {BaselineFormat.MaxFileBytes} bytes: not a baseline file");
        }

        YamlStream stream;
        try
        {
            stream = DepthLimitedYamlParser.Load(text);
        }
        catch (YamlException e)
        {
            throw new ConfigException(file, e.Start.Line, e.Start.Column, "yaml", $"not valid YAML ({e.Message}); expected a file written by port-exporter baseline");
        }

        if (stream.Documents.Count != 1)
        {
            var at = stream.Documents.Count == 0 ? Mark.Empty : stream.Documents[1].RootNode.Start;
            throw new ConfigException(file, Math.Max(at.Line, 1), Math.Max(at.Column, 1), BaselineFormat.KeyFormatVersion, stream.Documents.Count == 0
                ? "empty file; expected a baseline written by port-exporter baseline"
                : "a second YAML document; expected one");
        }

        var root = reader.Mapping(stream.Documents[0].RootNode, "(top level)");
        var version = reader.Required(root, "(top level)", BaselineFormat.KeyFormatVersion);
        if (version is not YamlScalarNode { Value: { } versionText }
            || !int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number != BaselineFormat.Version)
        {
            throw reader.Error(version, BaselineFormat.KeyFormatVersion, $"expected {BaselineFormat.Version} (the format this build reads), got '{YamlReader.Shorten((version as YamlScalarNode)?.Value ?? "(not a number)")}'");
        }

        reader.RejectUnknown(root, "(top level)", BaselineFormat.TopKeys);
        var hostNode = reader.Required(root, "(top level)", BaselineFormat.KeyHost);
        var host = reader.Text(hostNode, BaselineFormat.KeyHost, allowEmpty: false);
        if (expectedHost is not null && !string.Equals(host, expectedHost, StringComparison.Ordinal))
        {
            throw reader.Error(hostNode, BaselineFormat.KeyHost, $"expected '{expectedHost}' (this host), the file is for '{YamlReader.Shorten(host)}'");
        }

        var rulesets = reader.Items(root, "(top level)", BaselineFormat.KeyRulesets, BaselineFormat.RulesetKeys, (map, where) => new RulesetFingerprint(
            reader.String(map, where, BaselineFormat.KeyBackend),
            reader.Sha256(map, where),
            reader.Count(map, where, BaselineFormat.KeyRules),
            reader.Items(map, where, BaselineFormat.KeySets, BaselineFormat.SetKeys, (set, w) => new SetFingerprint(
                reader.String(set, $"{where}.{w}", BaselineFormat.KeySet),
                reader.Sha256(set, $"{where}.{w}"),
                reader.Count(set, $"{where}.{w}", BaselineFormat.KeyElements)))));
        var ports = reader.Items(root, "(top level)", BaselineFormat.KeyPorts, BaselineFormat.PortKeys, (map, where) => reader.Port(map, where));
        var digestNode = reader.Required(root, "(top level)", BaselineFormat.KeyDigest);
        var baseline = new SurfaceBaseline(number, host, rulesets, ports);
        var digest = reader.Text(digestNode, BaselineFormat.KeyDigest, allowEmpty: false);
        string expected;
        try
        {
            expected = BaselineWriter.DigestOf(baseline);
        }
        catch (YamlException e)
        {
            throw reader.Error(digestNode, BaselineFormat.KeyDigest, $"the content cannot be written back to take its digest ({e.Message})");
        }

        if (!string.Equals(digest, expected, StringComparison.Ordinal))
        {
            throw reader.Error(digestNode, BaselineFormat.KeyDigest, $"expected {expected} (the digest of the content above); the file was altered or corrupted after it was written: write it again with port-exporter baseline");
        }

        return baseline;
    }

    private sealed class Reader(string file) : YamlReader(file)
    {
        public YamlNode Required(YamlMappingNode map, string where, string key)
        {
            foreach (var (k, v) in map.Children)
            {
                if (k is YamlScalarNode { Value: var name } && name == key)
                {
                    return v;
                }
            }

            // A truncated file ends where its last complete key ends: point there.
            var end = LastMark(map);
            throw new ConfigException(File, end.Line, end.Column, $"{where}.{key}", "required key is missing (is the file truncated?)");
        }

        /// <summary>Where the node's last scalar ends (the representation model does not keep a collection's end).</summary>
        private static Mark LastMark(YamlNode node) => node switch
        {
            YamlMappingNode { Children.Count: > 0 } map => LastMark(map.Children.Last().Value),
            YamlSequenceNode { Children.Count: > 0 } list => LastMark(list.Children[^1]),
            _ => node.End,
        };

        public string Text(YamlNode node, string where, bool allowEmpty)
        {
            if (node is not YamlScalarNode { Value: { } value } scalar || !scalar.Tag.IsEmpty || (!allowEmpty && value.Length == 0))
            {
                throw Error(node, where, allowEmpty ? "expected a string" : "expected a non-empty string");
            }

            // Half a character (text given to the parser cut inside a surrogate pair): nothing a tool wrote, and
            // nothing the digest can be taken of.
            return WellFormed(value) ? value : throw Error(node, where, "expected text, got an unpaired UTF-16 surrogate");
        }

        private static bool WellFormed(string value)
        {
            for (var i = 0; i < value.Length; i++)
            {
                if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(value[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public string String(YamlMappingNode map, string where, string key) => Text(Required(map, where, key), $"{where}.{key}", allowEmpty: false);

        public string OptionalText(YamlMappingNode map, string where, string key) => Text(Required(map, where, key), $"{where}.{key}", allowEmpty: true);

        public string Word(YamlMappingNode map, string where, string key, params string[] allowed)
        {
            var node = Required(map, where, key);
            var value = Text(node, $"{where}.{key}", allowEmpty: false);
            return Array.IndexOf(allowed, value) >= 0
                ? value
                : throw Error(node, $"{where}.{key}", $"expected one of: {string.Join(", ", allowed)}; got '{Shorten(value)}'");
        }

        public string Sha256(YamlMappingNode map, string where)
        {
            var node = Required(map, where, BaselineFormat.KeySha256);
            var value = Text(node, $"{where}.{BaselineFormat.KeySha256}", allowEmpty: false);
            return value.Length == 64 && value.All(char.IsAsciiHexDigitLower)
                ? value
                : throw Error(node, $"{where}.{BaselineFormat.KeySha256}", $"expected 64 lower-case hex digits, got '{Shorten(value)}'");
        }

        public int Count(YamlMappingNode map, string where, string key)
        {
            var node = Required(map, where, key);
            return node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw Error(node, $"{where}.{key}", "expected a non-negative integer");
        }

        public List<T> Items<T>(YamlMappingNode map, string where, string key, string[] known, Func<YamlMappingNode, string, T> read)
        {
            var list = Sequence(Required(map, where, key), $"{where}.{key}");
            var items = new List<T>(list.Children.Count);
            for (var i = 0; i < list.Children.Count; i++)
            {
                var itemWhere = $"{key}[{i}]";
                var item = Mapping(list.Children[i], itemWhere);
                RejectUnknown(item, itemWhere, known);
                items.Add(read(item, itemWhere));
            }

            return items;
        }

        public PortSurface Port(YamlMappingNode map, string where)
        {
            var portNode = Required(map, where, BaselineFormat.KeyPort);
            var key = PortKeyOf(portNode, $"{where}.{BaselineFormat.KeyPort}");
            var service = String(map, where, BaselineFormat.KeyService);
            var expose = Word(map, where, BaselineFormat.KeyExpose, [.. PortIntentNames.AllExpose.Select(e => e.ToLabel())]);
            var origin = Word(map, where, BaselineFormat.KeyOrigin, IntentOrigin.Config.ToLabel(), IntentOrigin.Inferred.ToLabel());
            var listeners = Items(map, where, BaselineFormat.KeyListeners, BaselineFormat.ListenerKeys, (l, w) => new ListenerSurface(
                String(l, $"{where}.{w}", BaselineFormat.KeyAddress),
                String(l, $"{where}.{w}", BaselineFormat.KeyScope),
                String(l, $"{where}.{w}", BaselineFormat.KeyProcess)));
            var unit = String(map, where, BaselineFormat.KeyUnit);
            var verdicts = Items(map, where, BaselineFormat.KeyFirewall, BaselineFormat.VerdictKeys, (v, w) => new VerdictSurface(
                Word(v, $"{where}.{w}", BaselineFormat.KeySource, BaselineFormat.Inside, BaselineFormat.Outside),
                String(v, $"{where}.{w}", BaselineFormat.KeyVerdict),
                OptionalText(v, $"{where}.{w}", BaselineFormat.KeyChain),
                OptionalText(v, $"{where}.{w}", BaselineFormat.KeyRule)));
            var selinux = String(map, where, BaselineFormat.KeySelinuxType);
            var paths = Sequence(Required(map, where, BaselineFormat.KeyPath), $"{where}.{BaselineFormat.KeyPath}")
                .Children.Select((n, i) => Text(n, $"{where}.{BaselineFormat.KeyPath}[{i}]", allowEmpty: false)).ToList();
            return new PortSurface(key, service, expose, origin, listeners, unit, verdicts, selinux, paths);
        }

        private PortKey PortKeyOf(YamlNode node, string where)
        {
            var text = Text(node, where, allowEmpty: false);
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0
                && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
                && text[(slash + 1)..] is "tcp" or "udp")
            {
                return new PortKey(port, text.EndsWith("udp", StringComparison.Ordinal) ? TransportProtocol.Udp : TransportProtocol.Tcp);
            }

            throw Error(node, where, $"expected PORT/tcp or PORT/udp (1-65535), got '{Shorten(text)}'");
        }
    }
}
