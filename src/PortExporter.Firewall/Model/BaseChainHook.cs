namespace PortExporter.Firewall.Model;

/// <summary>What makes a chain a base chain: the hook, its priority, type and policy.</summary>
/// <param name="Hook">The netfilter hook.</param>
/// <param name="Priority">Lower runs first; iptables tables use raw -300, mangle -150, nat -100 (prerouting), filter 0.</param>
/// <param name="Type">filter, nat or route.</param>
/// <param name="PolicyDrops">True when the chain policy is drop.</param>
/// <param name="Devices">For ingress chains: the devices it is attached to; null when the dump does not say.</param>
public sealed record BaseChainHook(NetfilterHook Hook, int Priority, ChainType Type, bool PolicyDrops, IReadOnlyList<string>? Devices = null);
