namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>Reads one option of a match module (<c>-m NAME --option value</c>) into the rule's matches.</summary>
/// <param name="context">The rule being compiled; the option's values are read from its position.</param>
/// <param name="module">The module's name, for handlers that serve several (tcp and udp, icmp and icmp6).</param>
/// <param name="option">The option, already read.</param>
/// <param name="negate">Whether a <c>!</c> came before the option.</param>
internal delegate ModuleOptionResult ModuleOptionReader(ModuleContext context, string module, string option, bool negate);

/// <summary>A match module the compiler understands.</summary>
/// <param name="Read">Reads one of its options.</param>
/// <param name="KnownWithoutOptions">True when <c>-m NAME</c> alone, with no option, is understood (it matches everything).</param>
internal sealed record IptablesMatchModule(ModuleOptionReader Read, bool KnownWithoutOptions = false);
