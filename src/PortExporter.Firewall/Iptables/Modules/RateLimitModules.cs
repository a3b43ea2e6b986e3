using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// <c>-m limit</c> and <c>-m hashlimit</c>: the first packet of a new connection is within any limit
/// (<see cref="RateLimitMatch"/>), and over none; <c>--hashlimit-above</c> makes the match "over the limit".
/// </summary>
internal static class RateLimitModules
{
    public static ModuleOptionResult ReadLimit(ModuleContext context, string module, string option, bool negate) => option is "--limit" or "--limit-burst"
        ? context.WithValue(_ => Within(context))
        : ModuleOptionResult.NotUnderstood;

    /// <summary>Every hashlimit option is read (its value skipped); none of them makes the module unknown.</summary>
    public static ModuleOptionResult ReadHashLimit(ModuleContext context, string module, string option, bool negate) => option switch
    {
        "--hashlimit-above" => context.WithValue(_ =>
        {
            context.Matches.RemoveAll(m => m is RateLimitMatch);
            context.Matches.Add(new RateLimitMatch(over: true));
        }),
        "--hashlimit-upto" or "--hashlimit" => context.WithValue(_ => Within(context)),
        "--hashlimit-rate-match" => ModuleOptionResult.Done,
        _ => context.WithValue(_ => { }),
    };

    private static void Within(ModuleContext context)
    {
        if (!context.Matches.OfType<RateLimitMatch>().Any())
        {
            context.Matches.Add(new RateLimitMatch(over: false));
        }
    }
}
