using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PortExporter.Core.Configuration;

/// <summary>
/// An <see cref="IParser"/> that refuses YAML the representation model cannot take without ending the process or
/// working without bound, with a <see cref="YamlException"/> at the offending node:
/// <list type="bullet">
/// <item>nesting deeper than <see cref="MaxDepth"/> levels: the model recurses once per level, so about 50,000
/// nested <c>[</c> (100 KB) would overflow the stack;</item>
/// <item>an alias inside the node it names (<c>&amp;a {x: 1, *a}</c>): the model links the node into itself, and
/// hashing it as a mapping key recurses for ever (a 41-byte config overflowed the stack; found by fuzzing);</item>
/// <item>aliases that stand for more than <see cref="MaxNodes"/> nodes in all (<c>&amp;b [*a, *a, …]</c>, nine
/// levels of nine: a billion): the model shares them, but hashing a key or walking the tree visits each.</item>
/// </list>
/// </summary>
public sealed class DepthLimitedYamlParser(IParser inner) : IParser
{
    /// <summary>Deepest nesting accepted; real config files need fewer than ten levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes a document may stand for, each alias counted as the nodes it names.</summary>
    public const long MaxNodes = 100_000;

    /// <summary>The collections open now, innermost on top, each with its anchor and the node count at its start.</summary>
    private readonly Stack<(AnchorName Anchor, long Start)> _open = new();

    /// <summary>The nodes each complete anchored node stands for, the aliases within it counted in full.</summary>
    private readonly Dictionary<AnchorName, long> _sizes = [];
    private long _nodes;

    /// <summary>
    /// Reads <paramref name="text"/> into a representation model, refusing what the type's summary lists. Every failure is a
    /// <see cref="YamlException"/>: YamlDotNet also throws InvalidOperationException and ArgumentException on some
    /// malformed input (found by fuzzing), which are turned into one at the last position read.
    /// </summary>
    public static YamlDotNet.RepresentationModel.YamlStream Load(string text)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        var parser = new DepthLimitedYamlParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException)
        {
            var at = parser.Current?.Start ?? Mark.Empty;
            _ = e;
            throw new YamlException(at, at, $"malformed YAML near line {at.Line}, column {at.Column}");
        }

        return stream;
    }

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
        {
            return false;
        }

        var current = inner.Current!;
        switch (current)
        {
            case MappingStart or SequenceStart when _open.Count >= MaxDepth:
                throw new YamlException(current.Start, current.End, $"nested deeper than {MaxDepth} levels");
            case MappingStart or SequenceStart:
                var anchor = ((NodeEvent)current).Anchor;
                Count(current, 1);
                _sizes.Remove(anchor);
                _open.Push((anchor, _nodes));
                break;
            case MappingEnd or SequenceEnd:
                var closed = _open.Pop();
                if (!closed.Anchor.IsEmpty)
                {
                    _sizes[closed.Anchor] = _nodes - closed.Start + 1;
                }

                break;
            case Scalar scalar:
                Count(current, 1);
                if (!scalar.Anchor.IsEmpty)
                {
                    _sizes[scalar.Anchor] = 1;
                }

                break;
            case AnchorAlias alias when _sizes.TryGetValue(alias.Value, out var size):
                Count(current, size);
                break;
            case AnchorAlias alias when _open.Any(open => open.Anchor.Equals(alias.Value)):
                throw new YamlException(current.Start, current.End, $"the alias '{alias.Value}' is inside the node it names");
        }

        return true;
    }

    private void Count(ParsingEvent at, long nodes)
    {
        _nodes += nodes;
        if (_nodes > MaxNodes)
        {
            throw new YamlException(at.Start, at.End, $"more than {MaxNodes} nodes, each alias counted as the nodes it names");
        }
    }
}
