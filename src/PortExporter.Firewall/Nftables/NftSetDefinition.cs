using System.Text.Json;

namespace PortExporter.Firewall.Nftables;

/// <summary>A named set or map of one table, as found in the dump (valid while its document is open).</summary>
/// <param name="Name">The set name.</param>
/// <param name="Elements">The <c>elem</c> array, or an empty array.</param>
/// <param name="IsMap">True for a map (elements are [key, value] pairs).</param>
internal sealed record NftSetDefinition(string Name, JsonElement Elements, bool IsMap);
