using CsCheck;

namespace PortExporter.Tests.Fuzz;

/// <summary>
/// Generators of bad input: valid seed texts with a few random edits (insert a token, delete or duplicate a span,
/// replace a character, truncate), and random text over an alphabet that matters to the parser under test.
/// </summary>
public static class Mutations
{
    /// <summary>Iterations per property: enough to find shallow bugs, few enough that the suite stays fast.</summary>
    public const int Iterations = 1500;

    /// <summary>Pieces of YAML syntax and of the values our parsers check.</summary>
    public static readonly string[] YamlTokens =
    [
        ":", ": ", "- ", "\n", "\n  ", "  ", "\t", "[", "]", "{", "}", ",", "&a ", "*a", "*b", "!!str ", "!!binary ", "!!map ",
        "!tag ", "? ", "|", ">-", "'", "\"", "#", "%YAML 1.2\n", "---\n", "...\n", "~", "null", "true", "0x1F", "-1", "0",
        "65536", "99999999999999999999", "1e9", "\u0000", "\uFEFF", "\u00e9", "\ud800", "\U0001F642", "<<: *a", "\r\n",
    ];

    public static Gen<string> Mutated(string[] seeds, string[] tokens)
    {
        var edit = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 1 << 20], Gen.Int[0, 40], Gen.OneOf(tokens), (kind, at, length, token) => (kind, at, length, token));
        return Gen.Select(Gen.OneOf(seeds), edit.Array[1, 6], (seed, edits) =>
        {
            var text = seed;
            foreach (var (kind, at, length, token) in edits)
            {
                var i = text.Length == 0 ? 0 : at % (text.Length + 1);
                var span = Math.Min(length, text.Length - i);
                text = kind switch
                {
                    0 => text.Insert(i, token),
                    1 => text.Remove(i, span),
                    2 => text.Insert(i, text.Substring(i, span)),
                    3 => i < text.Length ? text.Remove(i, 1).Insert(i, token) : text + token,
                    _ => text[..i],
                };
            }

            return text;
        });
    }

    /// <summary>Random text of up to <paramref name="maxLength"/> characters drawn from <paramref name="alphabet"/>.</summary>
    public static Gen<string> Text(string alphabet, int maxLength) =>
        Gen.Char[alphabet].Array[0, maxLength].Select(chars => new string(chars));
}
