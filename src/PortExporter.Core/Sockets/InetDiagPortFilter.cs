using System.Buffers.Binary;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Builds the <c>inet_diag</c> bytecode (the <c>INET_DIAG_REQ_BYTECODE</c> attribute of a <c>sock_diag</c> dump
/// request) that keeps only sockets whose local port is in a set, so the kernel fills and copies only the
/// watched ports' sockets instead of every listener of the host. Pure function of the port set.
/// </summary>
/// <remarks>
/// <para>The program is a chain of blocks, one per run of consecutive ports, joined the way
/// <c>ss 'sport = :A or sport = :B or sport = :C'</c> joins its terms (byte for byte): each block's failure jumps
/// to the next block, its success falls into a <c>JMP</c> over the next block to the next <c>JMP</c>, and so on
/// to the end (accept); the last block's failure jumps past the end (reject). Only the few matching sockets take
/// the jumps; every other socket runs one block per run.
/// A single port is an <c>S_COND</c> with an any-family, any-address host condition (what <c>ss</c> emits for
/// <c>sport = :N</c>, and known to every kernel with sock_diag); a run of ports is <c>S_GE</c> low and
/// <c>S_LE</c> high. Every block is 16 bytes, joined by 4-byte jumps.</para>
/// <para>The kernel runs the chain for every socket of the dump, so it is kept short: beyond
/// <see cref="MaxBlocks"/> runs, the closest runs are merged (the filter then lets a few unwatched ports
/// through; callers keep only the ports they asked for). The result is a superset of the wanted sockets,
/// never a subset.</para>
/// </remarks>
public static class InetDiagPortFilter
{
    /// <summary>Most blocks in one program: 128 blocks are 2,044 bytes and at most 256 operations per socket.</summary>
    public const int MaxBlocks = 128;

    private const byte OpJmp = 1;
    private const byte OpSourceGreaterOrEqual = 2;
    private const byte OpSourceLessOrEqual = 3;
    private const byte OpSourceCondition = 7;
    private const int BlockLength = 16;
    private const int JumpLength = 4;

    /// <summary>
    /// The bytecode that accepts exactly the sockets whose local port is in <paramref name="ports"/> (or, past
    /// <paramref name="maxBlocks"/> runs, a few more), or null when <paramref name="ports"/> is empty.
    /// </summary>
    /// <param name="ports">Ports 1-65535, in any order, repeats allowed.</param>
    /// <param name="maxBlocks">Most runs in the program (at least 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A port outside 0-65535, or <paramref name="maxBlocks"/> below 1.</exception>
    public static byte[]? Build(IEnumerable<int> ports, int maxBlocks = MaxBlocks)
    {
        var ranges = Ranges(ports, maxBlocks);
        if (ranges.Count == 0)
        {
            return null;
        }

        var length = (ranges.Count * (BlockLength + JumpLength)) - JumpLength;
        var code = new byte[length];
        var offset = 0;
        for (var i = 0; i < ranges.Count; i++)
        {
            var last = i == ranges.Count - 1;
            var (low, high) = ranges[i];

            // Failure of this block: the start of the next one (just past the JMP), or past the end: reject.
            var failTarget = offset + BlockLength + JumpLength;
            if (low == high)
            {
                WriteOp(code, offset, OpSourceCondition, BlockLength, failTarget - offset);

                // struct inet_diag_hostcond { u8 family = AF_UNSPEC; u8 prefix_len = 0; int port; } and no address.
                BinaryPrimitives.WriteInt32LittleEndian(code.AsSpan(offset + 8), low);
            }
            else
            {
                WriteOp(code, offset, OpSourceGreaterOrEqual, 8, failTarget - offset);
                WriteOp(code, offset + 4, 0, 0, low);
                WriteOp(code, offset + 8, OpSourceLessOrEqual, 8, failTarget - offset - 8);
                WriteOp(code, offset + 12, 0, 0, high);
            }

            offset += BlockLength;
            if (!last)
            {
                // Success of this block: over the next block, to the next jump, and so on to the end (accept).
                WriteOp(code, offset, OpJmp, JumpLength, BlockLength + JumpLength);
                offset += JumpLength;
            }
        }

        return code;
    }

    /// <summary>The runs of consecutive ports, lowest first, merged to at most <paramref name="maxBlocks"/> by closing the smallest gaps.</summary>
    public static List<(int Low, int High)> Ranges(IEnumerable<int> ports, int maxBlocks = MaxBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlocks, 1);
        var sorted = new SortedSet<int>();
        foreach (var port in ports)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(port);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
            sorted.Add(port);
        }

        var ranges = new List<(int Low, int High)>();
        foreach (var port in sorted)
        {
            if (ranges.Count > 0 && ranges[^1].High + 1 == port)
            {
                ranges[^1] = (ranges[^1].Low, port);
            }
            else
            {
                ranges.Add((port, port));
            }
        }

        while (ranges.Count > maxBlocks)
        {
            var narrowest = 1;
            for (var i = 2; i < ranges.Count; i++)
            {
                if (ranges[i].Low - ranges[i - 1].High < ranges[narrowest].Low - ranges[narrowest - 1].High)
                {
                    narrowest = i;
                }
            }

            ranges[narrowest - 1] = (ranges[narrowest - 1].Low, ranges[narrowest].High);
            ranges.RemoveAt(narrowest);
        }

        return ranges;
    }

    /// <summary>struct inet_diag_bc_op { u8 code; u8 yes; u16 no; }: the jumps are relative to this operation.</summary>
    private static void WriteOp(byte[] code, int offset, byte op, int yes, int no)
    {
        code[offset] = op;
        code[offset + 1] = (byte)yes;
        BinaryPrimitives.WriteUInt16LittleEndian(code.AsSpan(offset + 2), checked((ushort)no));
    }
}
