using System.Globalization;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// <c>-m statistic --mode random --probability P</c> and <c>--mode nth --every N --packet P</c>: the kernel picks
/// which connections match (kube-proxy's choice of an endpoint in <c>KUBE-SVC-*</c>), a <see cref="RandomChoiceMatch"/>.
/// A probability of 0 or 1 is no choice; <c>!</c> keeps the choice a choice.
/// </summary>
internal static class StatisticModule
{
    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate) => option switch
    {
        "--mode" => context.WithValue(mode => context.Matches.Add(mode is "random" or "nth"
            ? new RandomChoiceMatch($"-m statistic --mode {mode}")
            : new UnknownMatch($"-m statistic --mode {mode}"))),
        "--probability" => context.WithValue(text => Certain(context, text, negate)),
        "--every" or "--packet" => context.WithValue(_ => { }),
        _ => ModuleOptionResult.NotUnderstood,
    };

    /// <summary>A probability of 0 never matches and 1 always does (negated: the other way round): no choice left.</summary>
    private static void Certain(ModuleContext context, string text, bool negate)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || p is not (<= 0 or >= 1))
        {
            return;
        }

        context.Matches.RemoveAll(m => m is RandomChoiceMatch);
        context.Matches.Add(new ConstantMatch(MatchResults.Of((p >= 1) != negate)));
    }
}
