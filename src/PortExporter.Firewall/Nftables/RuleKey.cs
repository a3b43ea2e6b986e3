using System.Buffers;
using System.Text.Json;

namespace PortExporter.Firewall.Nftables;

/// <summary>
/// What decides how an nft JSON rule compiles: every token of the rule object but its handle (new when the same
/// rule is loaded again) and the values of its counter statements (<c>{"counter": {"packets": N, "bytes": M}}</c>,
/// which move with traffic); and those. Two reads of a rule that only counted packets or was reloaded in between
/// give the same bytes, so the compiled rule can be reused (<see cref="CompiledRuleCache"/>).
/// </summary>
internal static class RuleKey
{
    // The rule object is depth 0, its "expr" array depth 1, a statement object depth 2, the statement's name depth 3.
    private const int StatementDepth = 3;

    // The rule's own properties ("handle", "expr", ...) are depth 1.
    private const int RuleDepth = 1;

    /// <summary>
    /// Writes the key bytes of <paramref name="rule"/> (one rule object of the dump) into <paramref name="scratch"/>
    /// (a pooled array, replaced by a larger one when it is too small) and returns their length.
    /// </summary>
    /// <param name="rule">The rule object.</param>
    /// <param name="scratch">Where the bytes go.</param>
    /// <param name="handle">The rule's handle, as the parser reads it.</param>
    /// <param name="packets">The last counter statement's packets, as the compiler reads them.</param>
    /// <param name="bytes">The last counter statement's bytes.</param>
    public static int Bytes(ReadOnlySequence<byte> rule, ref byte[] scratch, out long? handle, out long? packets, out long? bytes)
    {
        handle = null;
        packets = null;
        bytes = null;
        var reader = new Utf8JsonReader(rule, new JsonReaderOptions { MaxDepth = 256 });
        var length = 0;
        var counterDepth = -1;
        var field = CounterField.None;
        while (reader.Read())
        {
            if (counterDepth >= 0)
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == counterDepth)
                {
                    counterDepth = -1;
                }
                else if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == counterDepth + 1)
                {
                    field = reader.ValueTextEquals("packets"u8) ? CounterField.Packets : reader.ValueTextEquals("bytes"u8) ? CounterField.Bytes : CounterField.None;
                }
                else if (field != CounterField.None && reader.CurrentDepth == counterDepth + 1)
                {
                    // The value of "packets" or "bytes": out of the key, into the counters (a number the compiler would not read counts as none).
                    long? value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) ? n : null;
                    (packets, bytes) = field == CounterField.Packets ? (value, bytes) : (packets, value);
                    field = CounterField.None;
                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                    }

                    continue;
                }
            }

            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == RuleDepth && reader.ValueTextEquals("handle"u8))
            {
                // Out of the key: the parser reads an integer and takes anything else as no handle.
                reader.Read();
                handle = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var h) ? h : null;
                reader.Skip();
                continue;
            }

            Append(ref scratch, ref length, ref reader);
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == StatementDepth && reader.ValueTextEquals("counter"u8))
            {
                reader.Read();
                Append(ref scratch, ref length, ref reader);
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    // A new counter statement: the compiler takes its values, missing ones as none. Anything else
                    // (a named counter's name, null) the compiler does not read as counters; it stays in the key.
                    counterDepth = reader.CurrentDepth;
                    (packets, bytes) = (null, null);
                }
            }
        }

        return length;
    }

    /// <summary>
    /// Appends the token's type and its bytes as they stand in the dump. The type (below 0x20, which JSON text
    /// cannot hold unescaped) separates the tokens, so different token sequences never give the same bytes.
    /// </summary>
    private static void Append(ref byte[] scratch, ref int length, ref Utf8JsonReader reader)
    {
        var size = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        if (length + size + 1 > scratch.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(scratch.Length * 2, length + size + 1));
            scratch.AsSpan(0, length).CopyTo(larger);
            if (scratch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = larger;
        }

        scratch[length++] = (byte)reader.TokenType;
        if (reader.HasValueSequence)
        {
            reader.ValueSequence.CopyTo(scratch.AsSpan(length));
        }
        else
        {
            reader.ValueSpan.CopyTo(scratch.AsSpan(length));
        }

        length += size;
    }

    private enum CounterField
    {
        None,
        Packets,
        Bytes,
    }
}
