using System.Globalization;
using System.Text;
using PortExporter.Firewall;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PortExporter.Core.Baseline;

/// <summary>
/// Serialises a <see cref="SurfaceBaseline"/> to YAML through YamlDotNet's emitter: keys in the fixed order of
/// <see cref="BaselineFormat"/>, every key written (an empty list as <c>[]</c>), LF line ends, and a last key,
/// <c>digest</c>, the SHA-256 of everything above it, which tells a truncated or altered file from a changed host.
/// The same baseline always gives the same bytes. Pure.
/// </summary>
public static class BaselineWriter
{
    private const string Header = "The host's reachable surface, written by port-exporter baseline. Review changes like code; compare with: port-exporter baseline --check FILE";

    public static string Write(SurfaceBaseline baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var body = Emit(baseline, digest: null);
        return Emit(baseline, Digest(body));
    }

    /// <summary>The digest written for <paramref name="baseline"/>: <c>sha256:</c> and the hex SHA-256 of its text without the digest.</summary>
    public static string DigestOf(SurfaceBaseline baseline) => Digest(Emit(baseline, digest: null));

    private static string Digest(string body) => "sha256:" + ContentHash.Sha256Hex(Encoding.UTF8.GetBytes(body));

    private static string Emit(SurfaceBaseline baseline, string? digest)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var yaml = new Events(new Emitter(text, new EmitterSettings(2, int.MaxValue, false, 100_000, false, false, "\n")));
        yaml.Emit(new StreamStart());
        yaml.Emit(new DocumentStart());
        yaml.Emit(new Comment(Header, false));
        yaml.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
        yaml.Pair(BaselineFormat.KeyFormatVersion, baseline.FormatVersion.ToString(CultureInfo.InvariantCulture));
        yaml.Pair(BaselineFormat.KeyHost, baseline.Host);
        yaml.List(BaselineFormat.KeyRulesets, baseline.Rulesets, r =>
        {
            yaml.Pair(BaselineFormat.KeyBackend, r.Backend);
            yaml.Pair(BaselineFormat.KeySha256, r.Sha256);
            yaml.Pair(BaselineFormat.KeyRules, r.Rules.ToString(CultureInfo.InvariantCulture));
            yaml.List(BaselineFormat.KeySets, r.Sets, set =>
            {
                yaml.Pair(BaselineFormat.KeySet, set.Set);
                yaml.Pair(BaselineFormat.KeySha256, set.Sha256);
                yaml.Pair(BaselineFormat.KeyElements, set.Elements.ToString(CultureInfo.InvariantCulture));
            });
        });
        yaml.List(BaselineFormat.KeyPorts, baseline.Ports, p =>
        {
            yaml.Pair(BaselineFormat.KeyPort, p.Key.ToString());
            yaml.Pair(BaselineFormat.KeyService, p.Service);
            yaml.Pair(BaselineFormat.KeyExpose, p.Expose);
            yaml.Pair(BaselineFormat.KeyOrigin, p.Origin);
            yaml.List(BaselineFormat.KeyListeners, p.Listeners, l =>
            {
                yaml.Pair(BaselineFormat.KeyAddress, l.Address);
                yaml.Pair(BaselineFormat.KeyScope, l.Scope);
                yaml.Pair(BaselineFormat.KeyProcess, l.Process);
            });
            yaml.Pair(BaselineFormat.KeyUnit, p.Unit);
            yaml.List(BaselineFormat.KeyFirewall, p.Verdicts, v =>
            {
                yaml.Pair(BaselineFormat.KeySource, v.Source);
                yaml.Pair(BaselineFormat.KeyVerdict, v.Verdict);
                yaml.Pair(BaselineFormat.KeyChain, v.Chain);
                yaml.Pair(BaselineFormat.KeyRule, v.Rule);
            });
            yaml.Pair(BaselineFormat.KeySelinuxType, p.SelinuxType);
            yaml.Strings(BaselineFormat.KeyPath, p.Paths);
        });
        if (digest is not null)
        {
            yaml.Pair(BaselineFormat.KeyDigest, digest);
        }

        yaml.Emit(new MappingEnd());
        yaml.Emit(new DocumentEnd(true));
        yaml.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>The emitter and the few shapes the file is made of.</summary>
    private sealed class Events(IEmitter emitter)
    {
        public void Emit(ParsingEvent e) => emitter.Emit(e);

        public void Pair(string key, string value)
        {
            Scalar(key);
            Scalar(value);
        }

        public void List<T>(string key, IReadOnlyList<T> items, Action<T> writeItem)
        {
            Scalar(key);
            emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
            foreach (var item in items)
            {
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, true, MappingStyle.Block));
                writeItem(item);
                emitter.Emit(new MappingEnd());
            }

            emitter.Emit(new SequenceEnd());
        }

        public void Strings(string key, IReadOnlyList<string> items)
        {
            Scalar(key);
            emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, true, items.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
            foreach (var item in items)
            {
                Scalar(item);
            }

            emitter.Emit(new SequenceEnd());
        }

        // Plain where YAML allows it and the text cannot be read back as anything but this string; quoted otherwise.
        private void Scalar(string value)
        {
            var style = value.Length == 0 || Reserved(value) ? ScalarStyle.DoubleQuoted : ScalarStyle.Any;
            emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, true, true));
        }

        private static bool Reserved(string value) =>
            value is "~" or "null" or "Null" or "NULL" or "true" or "false" or "True" or "False" or "yes" or "no"
            || value.Any(char.IsControl)
            || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]);
    }
}
