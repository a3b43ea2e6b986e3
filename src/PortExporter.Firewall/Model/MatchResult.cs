namespace PortExporter.Firewall.Model;

/// <summary>Three-valued answer of a match: a match the evaluator does not understand answers <see cref="Unknown"/>.</summary>
public enum MatchResult
{
    No,
    Yes,
    Unknown,
}

/// <summary>Logic on <see cref="MatchResult"/>.</summary>
public static class MatchResults
{
    public static MatchResult Negate(this MatchResult result, bool negate) =>
        !negate || result == MatchResult.Unknown ? result : result == MatchResult.Yes ? MatchResult.No : MatchResult.Yes;

    public static MatchResult Of(bool value) => value ? MatchResult.Yes : MatchResult.No;
}
