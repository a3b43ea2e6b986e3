using System.Buffers.Binary;
using System.Text;

namespace PortExporter.Firewall.Model;

/// <summary>
/// A named set's members reduced to what tells a change: how many there are and a digest of their normalised texts
/// that does not depend on their order (a hash set lists them in bucket order, which a resize reshuffles): the
/// SHA-256 of the count and the sum, modulo 2^256, of each member's SHA-256. It takes constant memory however large
/// the set. Counters, and the time an entry has left, are not part of a member's text, so traffic and the clock
/// leave it as it was. Immutable.
/// </summary>
/// <param name="Name">The set's name (an nft set's within its table, an ipset's on the host).</param>
/// <param name="Elements">How many members it has.</param>
/// <param name="Sha256">Lower-case hex digest, as above.</param>
public sealed record SetContent(string Name, int Elements, string Sha256)
{
    /// <summary>The content of set <paramref name="name"/> with <paramref name="members"/> (normalised texts, any order).</summary>
    public static SetContent Of(string name, IEnumerable<string> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var builder = new Builder(name);
        foreach (var member in members)
        {
            builder.Add(member);
        }

        return builder.Build();
    }

    /// <summary>Adds members one at a time (a parser's loop). Not thread-safe.</summary>
    public sealed class Builder(string name)
    {
        private readonly ulong[] _sum = new ulong[4];
        private readonly ContentHash.Sha256Builder _member = ContentHash.Sha256Incremental();
        private int _count;

        public void Add(string member)
        {
            ArgumentNullException.ThrowIfNull(member);
            Add(Encoding.UTF8.GetBytes(member));
        }

        /// <summary>Adds a member given as its UTF-8 text.</summary>
        public void Add(ReadOnlySpan<byte> utf8)
        {
            // One digest for every member: a set of 100k members is hashed without a digest object each.
            Span<byte> digest = stackalloc byte[ContentHash.Sha256Bytes];
            _member.Append(utf8);
            _member.Finish(digest);
            ulong carry = 0;
            for (var i = 0; i < 4; i++)
            {
                var word = BinaryPrimitives.ReadUInt64LittleEndian(digest[(i * 8)..]);
                var sum = _sum[i] + word;
                var next = sum < word ? 1UL : 0UL;
                sum += carry;
                next += sum < carry ? 1UL : 0UL;
                _sum[i] = sum;
                carry = next;
            }

            _count++;
        }

        public SetContent Build()
        {
            Span<byte> total = stackalloc byte[36];
            BinaryPrimitives.WriteInt32LittleEndian(total, _count);
            for (var i = 0; i < 4; i++)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(total[(4 + (i * 8))..], _sum[i]);
            }

            return new SetContent(name, _count, ContentHash.Sha256Hex(total));
        }
    }
}
