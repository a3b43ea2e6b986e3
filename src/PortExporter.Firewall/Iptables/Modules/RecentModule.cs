using System.Globalization;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>
/// <c>-m recent</c> into a <see cref="RecentMatch"/> (what a fresh client meets: see there). iptables-save prints
/// the command first (<c>[!] --set|--rcheck|--update|--remove</c>), then its modifiers (<c>--seconds</c>,
/// <c>--reap</c>, <c>--hitcount</c>, <c>--rttl</c>, <c>--name</c>, <c>--mask</c>, <c>--rsource|--rdest</c>): the command
/// adds the match, each modifier refines the one just added.
/// </summary>
internal static class RecentModule
{
    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate)
    {
        if (Command(option) is { } command)
        {
            context.Matches.Add(new RecentMatch(new RecentOptions(command, negate), [.. context.Matches]));
            return ModuleOptionResult.Done;
        }

        if (negate || context.Matches is not [.., RecentMatch last])
        {
            return ModuleOptionResult.NotUnderstood;
        }

        var options = last.Options;
        string? value = null;
        if (option is "--seconds" or "--hitcount" or "--name" or "--mask" && context.Value(out value) is { } problem)
        {
            return ModuleOptionResult.Broken(problem);
        }

        RecentOptions? changed = option switch
        {
            "--seconds" when uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) => options with { Seconds = seconds },
            "--hitcount" when uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var hits) => options with { HitCount = hits },
            "--name" => options with { Name = value! },
            "--mask" when FirewallValueParser.TryAddress(value!, context.IpVersion, out var mask) => options with { Mask = PacketState.Encode(mask) },
            "--rttl" => options with { Ttl = true },
            "--rsource" => options with { Destination = false },
            "--rdest" => options with { Destination = true },
            "--reap" => options,
            _ => null,
        };
        if (changed is null)
        {
            return ModuleOptionResult.NotUnderstood;
        }

        context.Matches[^1] = new RecentMatch(changed, last.Preceding);
        return ModuleOptionResult.Done;
    }

    private static RecentCommand? Command(string option) => option switch
    {
        "--set" => RecentCommand.Set,
        "--rcheck" => RecentCommand.Check,
        "--update" => RecentCommand.Update,
        "--remove" => RecentCommand.Remove,
        _ => null,
    };
}
