using System.Collections.Frozen;
using System.Text.Json;

namespace PortExporter.Firewall.Nftables;

// Reading the JSON without garbage: the words nft prints as shared strings, lists of elements without a list.
internal sealed partial class NftRuleCompiler
{
    /// <summary>
    /// A JSON string as a string: one of the words nft prints (operators, protocols, fields, keys, states, flags) as
    /// the shared string of <see cref="Words"/>, anything else (an interface or set name, an unusual word) new.
    /// </summary>
    private static string Word(JsonElement e)
    {
        Span<char> buffer = stackalloc char[NftJsonChars.MaxChars];
        var chars = NftJsonChars.Value(e, buffer);
        return Words.Known.TryGetValue(chars, out var word) ? word : chars.ToString();
    }

    /// <summary>The words a rule's JSON repeats: the keys of the compiler's tables and the operators and fields they are read with.</summary>
    private static class Words
    {
        public static FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Known { get; } =
            ((string[])
            [
                .. Statements.Keys, .. MetaFields.Keys, .. ConntrackFields.Keys, .. PayloadFamilies.Keys, .. TcpFlagBits.Keys,
                .. ConntrackStatusBits.Keys,
                "==", "!=", "<", ">", "<=", ">=", "in",
                "saddr", "daddr", "sport", "dport", "protocol", "nexthdr", "flags", "type", "code", "direction", "original", "reply",
                "ip", "ip6", "inet", "ipv4", "ipv6", "arp", "bridge", "netdev", "esp", "ah", "gre", "icmpx",
                "established", "related", "new", "invalid", "untracked",
                "host", "unicast", "broadcast", "multicast", "other", "otherhost", "local",
                "random", "inc", "tcp reset", "match", "target", "watcher",
            ]).ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// The elements a JSON value stands for without a list: the items of an array (a set, a concatenation, statements),
    /// the value itself otherwise, none when it is undefined.
    /// </summary>
    private readonly struct ElementList
    {
        private readonly JsonElement _one;
        private readonly JsonElement _array;

        private ElementList(JsonElement one, JsonElement array)
        {
            _one = one;
            _array = array;
        }

        public int Count => _array.ValueKind == JsonValueKind.Array ? _array.GetArrayLength() : _one.ValueKind == JsonValueKind.Undefined ? 0 : 1;

        public JsonElement this[int index] => _array.ValueKind == JsonValueKind.Array ? _array[index] : _one;

        public static ElementList Of(JsonElement arrayOrOne) =>
            arrayOrOne.ValueKind == JsonValueKind.Array ? new(default, arrayOrOne) : new(arrayOrOne, default);

        /// <summary>The parts of a <c>concat</c> expression, or the expression itself.</summary>
        public static ElementList Components(JsonElement e) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty("concat", out var c) && c.ValueKind == JsonValueKind.Array ? new(default, c) : new(e, default);

        public Enumerator GetEnumerator() => new(_one, _array);

        public struct Enumerator
        {
            private readonly JsonElement _one;
            private readonly bool _isArray;
            private JsonElement.ArrayEnumerator _items;
            private bool _oneLeft;

            public Enumerator(JsonElement one, JsonElement array)
            {
                _one = one;
                _isArray = array.ValueKind == JsonValueKind.Array;
                _items = _isArray ? array.EnumerateArray() : default;
                _oneLeft = !_isArray && one.ValueKind != JsonValueKind.Undefined;
                Current = default;
            }

            public JsonElement Current { get; private set; }

            public bool MoveNext()
            {
                if (_isArray)
                {
                    var more = _items.MoveNext();
                    Current = more ? _items.Current : default;
                    return more;
                }

                if (!_oneLeft)
                {
                    return false;
                }

                _oneLeft = false;
                Current = _one;
                return true;
            }
        }
    }
}
