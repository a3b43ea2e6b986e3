using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Ipset;

/// <summary>
/// The interface of a <c>hash:net,iface</c> entry, as the kernel's lookup compares it (ip_set_hash_netiface.c): the
/// packet's incoming interface for the flag <c>src</c>, its outgoing one for <c>dst</c>; a packet without that
/// interface (no outgoing interface on the input path) is not looked up at all, so it never matches. The name is
/// compared in full, or as a prefix for a <c>wildcard</c> entry (no <c>+</c> or <c>*</c> patterns, unlike iptables
/// <c>-i</c>). A <c>physdev:</c> entry names a bridge port, which the simulation does not follow: unknown.
/// Immutable.
/// </summary>
/// <param name="name">The interface name.</param>
/// <param name="wildcard">True for an entry added with <c>wildcard</c>.</param>
/// <param name="physdev">True for a <c>physdev:NAME</c> entry.</param>
internal sealed class IpsetInterfaceValues(string name, bool wildcard, bool physdev) : FieldValues
{
    /// <summary>IFNAMSIZ less the terminating NUL.</summary>
    public const int MaxNameLength = 15;

    public string Name { get; } = name;

    public bool Wildcard { get; } = wildcard;

    public bool Physdev { get; } = physdev;

    public override MatchResult Test(PacketField field, PacketState packet)
    {
        if (Physdev)
        {
            return MatchResult.Unknown;
        }

        var actual = field switch
        {
            PacketField.InInterface => packet.InInterface,
            PacketField.OutInterface => packet.OutInterface,
            _ => string.Empty,
        };
        if (actual.Length == 0)
        {
            return MatchResult.No;
        }

        return MatchResults.Of(Wildcard ? actual.StartsWith(Name, StringComparison.Ordinal) : string.Equals(actual, Name, StringComparison.Ordinal));
    }
}
