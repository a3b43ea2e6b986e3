using System.Buffers;
using System.Text.Json;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Nftables;

/// <summary>
/// The members of an nft named set or map, as <see cref="SetContent"/>: each <c>elem</c> entry in canonical JSON
/// without its <c>counter</c> and <c>expires</c> (traffic and the clock, not configuration). A <c>dynamic</c> set is
/// filled from the packet path (meters, rate limits per source): its members are traffic too, so only its name
/// counts. Pure.
/// </summary>
internal static class NftSetMembers
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, SkipValidation = true };

    /// <param name="name">The set's name.</param>
    /// <param name="set">The <c>set</c> or <c>map</c> object of the dump.</param>
    public static SetContent Content(string name, JsonElement set)
    {
        if (IsDynamic(set) || !set.TryGetProperty("elem", out var elements) || elements.ValueKind != JsonValueKind.Array)
        {
            return SetContent.Of(name, []);
        }

        var members = new SetContent.Builder(name);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var element in elements.EnumerateArray())
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer, Compact))
            {
                Write(writer, element);
            }

            members.Add(buffer.WrittenSpan);
        }

        return members.Build();
    }

    private static bool IsDynamic(JsonElement set) =>
        set.TryGetProperty("flags", out var flags)
        && (flags.ValueKind == JsonValueKind.Array ? flags.EnumerateArray().Any(f => f.ValueKind == JsonValueKind.String && f.ValueEquals("dynamic"))
            : flags.ValueKind == JsonValueKind.String && flags.ValueEquals("dynamic"));

    private static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    if (property.NameEquals("counter") || property.NameEquals("expires"))
                    {
                        continue;
                    }

                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
