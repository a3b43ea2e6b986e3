using System.Buffers;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Firewall.Tests.Nftables;

/// <summary>A dump read in pieces (as a command's output arrives) parses as the same dump in one array.</summary>
public sealed class NftJsonParserPiecesTests
{
    [Theory]
    [InlineData(1_000)]
    [InlineData(65_536)]
    public void A_dump_in_pieces_parses_as_the_whole(int pieceBytes)
    {
        var dump = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "allocation", "bench-1k", "nft.json"));

        var whole = NftJsonParser.Parse(dump);
        var pieces = NftJsonParser.Parse(Pieces(dump, pieceBytes));

        Assert.True(dump.Length > 4 * pieceBytes, "the dump spans several pieces");
        Assert.Equal(Rules(whole), Rules(pieces));
        Assert.Equal(1_000, Rules(pieces).Count);
    }

    [Fact]
    public void A_document_in_pieces_that_is_no_ruleset_is_refused_with_its_start()
    {
        var text = "{\"other\": [" + string.Concat(Enumerable.Repeat("1, ", 2_000)) + "1]}";

        var error = Assert.Throws<FirewallParseException>(() => NftJsonParser.Parse(Pieces(System.Text.Encoding.UTF8.GetBytes(text), 100)));

        Assert.Contains("{\"other\": [1, 1,", error.Message, StringComparison.Ordinal);
    }

    private static List<string> Rules(NftRuleset ruleset) =>
        [.. ruleset.Tables.SelectMany(t => t.Chains.Values.SelectMany(c => c.Rules.Select(r => $"{t.Name} {c.Name} {r.Label} {r.Action.Kind} {r.Matches.Count}")))];

    private static ReadOnlySequence<byte> Pieces(byte[] bytes, int pieceBytes)
    {
        Piece? first = null;
        Piece? last = null;
        for (var at = 0; at < bytes.Length; at += pieceBytes)
        {
            var piece = new Piece(bytes.AsMemory(at, Math.Min(pieceBytes, bytes.Length - at)), at);
            last?.Link(piece);
            first ??= piece;
            last = piece;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Piece : ReadOnlySequenceSegment<byte>
    {
        public Piece(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void Link(Piece next) => Next = next;
    }
}
