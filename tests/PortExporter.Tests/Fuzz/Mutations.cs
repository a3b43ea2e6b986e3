using System.Runtime.CompilerServices;
using CsCheck;

namespace PortExporter.Tests.Fuzz;

/// <summary>
/// Generators of bad input: valid seed texts with a few random edits (insert a token, delete or duplicate a span,
/// replace a character, truncate), and random text over an alphabet that matters to the parser under test.
/// </summary>
public static class Mutations
{
    /// <summary>Iterations per property in the suite: enough to find shallow bugs, few enough that the suite stays fast.</summary>
    public const int Iterations = 1500;

    /// <summary>
    /// <c>PORT_EXPORTER_FUZZ=random</c> (<c>scripts/fuzz</c>): each run draws new inputs (CsCheck's random seeds and
    /// shrinking) and <c>PORT_EXPORTER_FUZZ_ITER</c> of them; <c>CsCheck_Seed</c> replays the failure it printed.
    /// Otherwise the suite's runs: the same inputs every time.
    /// </summary>
    private static readonly bool Exploring =
        string.Equals(Environment.GetEnvironmentVariable("PORT_EXPORTER_FUZZ"), "random", StringComparison.Ordinal);

    private static readonly long ExploreIterations =
        long.TryParse(Environment.GetEnvironmentVariable("PORT_EXPORTER_FUZZ_ITER"), out var iterations) && iterations > 0 ? iterations : 100_000;

    /// <summary>
    /// Checks <paramref name="property"/> on <see cref="Iterations"/> inputs of <paramref name="gen"/>. In the suite the
    /// inputs come from a fixed seed per call site, so a red run is a reproducible bug, never an unlucky draw: a
    /// failure names the input and the seed that replays it (<c>CsCheck_Seed=… PORT_EXPORTER_FUZZ=random</c>). New
    /// inputs are <c>scripts/fuzz</c>'s job.
    /// </summary>
    public static void Fuzz<T>(this Gen<T> gen, Action<T> property, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Exploring)
        {
            gen.Sample(property, iter: ExploreIterations);
            return;
        }

        var pcg = new PCG(StableHash($"{Path.GetFileName(file)}:{line}"), 0x5EED_F022);
        for (var i = 0; i < Iterations; i++)
        {
            var state = pcg.State;
            var input = gen.Generate(pcg, null, out _);
            try
            {
                property(input);
            }
            catch (Exception e)
            {
                var shown = Check.Print(input);
                throw new InvalidOperationException(
                    $"input {i} of {Path.GetFileName(file)}:{line} fails (CsCheck_Seed={pcg.ToString(state)} PORT_EXPORTER_FUZZ=random replays it): " +
                    $"{(shown.Length > 2000 ? shown[..2000] + "…" : shown)}", e);
            }
        }
    }

    /// <inheritdoc cref="Fuzz{T}(Gen{T}, Action{T}, string, int)"/>
    public static void Fuzz<T1, T2>(this Gen<(T1, T2)> gen, Action<T1, T2> property, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        gen.Fuzz(pair => property(pair.Item1, pair.Item2), file, line);

    /// <summary>FNV-1a: the same stream for a call site in every process (string hashes are randomized per process).</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

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
