using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PortExporter.Core.Configuration;

/// <summary>
/// An <see cref="IParser"/> that refuses YAML nested deeper than <see cref="MaxDepth"/> levels with a
/// <see cref="YamlException"/> at the offending node. YamlDotNet's representation model recurses once per level,
/// so about 50,000 nested <c>[</c> (100 KB) would overflow the stack and end the process; this stops it first.
/// </summary>
public sealed class DepthLimitedYamlParser(IParser inner) : IParser
{
    /// <summary>Deepest nesting accepted; real config files need fewer than ten levels.</summary>
    public const int MaxDepth = 64;

    private int _depth;

    /// <summary>
    /// Reads <paramref name="text"/> into a representation model, refusing excessive nesting. Every failure is a
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

        switch (inner.Current)
        {
            case MappingStart or SequenceStart when ++_depth > MaxDepth:
                throw new YamlException(inner.Current.Start, inner.Current.End, $"nested deeper than {MaxDepth} levels");
            case MappingEnd or SequenceEnd:
                _depth--;
                break;
        }

        return true;
    }
}
