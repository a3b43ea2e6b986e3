namespace PortExporter.Firewall.Model;

/// <summary>A change to the packet mark: <c>mark = (mark &amp; ~Mask) ^ Value</c> (iptables <c>--set-xmark</c>), or unknowable.</summary>
/// <param name="Value">XORed in.</param>
/// <param name="Mask">Bits cleared first.</param>
/// <param name="Known">False when the new mark comes from elsewhere (<c>--restore-mark</c>, <c>meta mark set ct mark</c>).</param>
public sealed record MarkChange(uint Value, uint Mask, bool Known = true)
{
    public static MarkChange Unknowable { get; } = new(0, 0, false);

    public uint? Apply(uint? mark) => Known && mark is { } m ? (m & ~Mask) ^ Value : null;
}
