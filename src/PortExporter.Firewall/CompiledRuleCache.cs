using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall;

/// <summary>
/// The rules the previous read of the host's ruleset compiled, by a hash of everything their compilation reads, so
/// that the next read compiles only the rules that changed. A ruleset is read again whenever it changes and at
/// least every refresh interval; at 10k rules compiling it allocates 10-40 MB that dies at once, while between two
/// reads nearly every rule stays as it was (a change adds or deletes a few; counters move; a reload loads the same
/// rules under new handles). A rule's key covers its text without its counters and handle, and what else its compilation reads (the sets of its table, the user chains that tell
/// a jump from a target, the address family); the counters and handle of the new dump are put on the rule that is
/// reused, and so is its new position. Only the last committed read is kept: memory is one ruleset's keys.
/// <para>
/// A read calls <see cref="Begin"/>, hands the session to the parsers, and <see cref="Commit"/>s it once the whole
/// read succeeded (a failed read leaves the previous one in place). Thread-safe: each session reads the committed
/// table and fills its own.
/// </para>
/// </summary>
public sealed class CompiledRuleCache
{
    private Dictionary<UInt128, CompiledRule> _committed = [];

    /// <summary>A session over the last committed read's rules.</summary>
    public CompiledRuleSession Begin() => new(Volatile.Read(ref _committed));

    /// <summary>The session's rules become those the next read reuses.</summary>
    public void Commit(CompiledRuleSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        Volatile.Write(ref _committed, session.Rules);
    }
}

/// <summary>One read's view of <see cref="CompiledRuleCache"/>: what it may reuse, and what it compiled or reused. Not thread-safe.</summary>
public sealed class CompiledRuleSession
{
    private readonly Dictionary<UInt128, CompiledRule> _previous;

    internal CompiledRuleSession(Dictionary<UInt128, CompiledRule> previous)
    {
        _previous = previous;
        Rules = new(previous.Count);
    }

    /// <summary>Rules taken from the previous read.</summary>
    public int Reused { get; private set; }

    /// <summary>Rules compiled by this read.</summary>
    public int Compiled { get; private set; }

    internal Dictionary<UInt128, CompiledRule> Rules { get; }

    /// <summary>The rule of this key compiled by this read or the previous one.</summary>
    internal bool TryFind(UInt128 key, out CompiledRule rule) => Rules.TryGetValue(key, out rule) || _previous.TryGetValue(key, out rule);

    /// <summary>A rule this read holds, compiled (<paramref name="reused"/> false) or taken from the previous read.</summary>
    internal void Keep(UInt128 key, CompiledRule rule, bool reused)
    {
        Rules[key] = rule;
        if (reused)
        {
            Reused++;
        }
        else
        {
            Compiled++;
        }
    }

    /// <summary>A rule this read compiled and keeps for no later read (what it reads besides its text is not in a key).</summary>
    internal void Compiling() => Compiled++;

    /// <summary>The key of a rule: a 128-bit hash of what decides its compilation (<see cref="ContentHash.Key"/>).</summary>
    internal static UInt128 Key(ReadOnlySpan<byte> content) => ContentHash.Key(content);

    /// <summary>The key of a rule given as text, within its table's <paramref name="context"/>.</summary>
    internal static UInt128 Key(UInt128 context, ReadOnlySpan<char> text)
    {
        var length = 16 + (text.Length * sizeof(char));
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            BinaryPrimitives.WriteUInt128LittleEndian(buffer, context);
            MemoryMarshal.AsBytes(text).CopyTo(buffer.AsSpan(16));
            return Key(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The context of a table's rules: a 128-bit hash of its parts that rules read; 0 when there are none.</summary>
    internal static UInt128 Context(IEnumerable<ReadOnlySequence<byte>> parts)
    {
        var hash = new XxHash128();
        var any = false;
        foreach (var part in parts)
        {
            foreach (var segment in part)
            {
                hash.Append(segment.Span);
            }

            any = true;
        }

        return any ? hash.GetCurrentHashAsUInt128() : UInt128.Zero;
    }
}

/// <summary>
/// A compiled rule as a later read may reuse it: the rule (its position and counters are the new read's), the table
/// and chain it belongs to, and what the parser noted about it.
/// </summary>
/// <param name="Rule">The rule as compiled.</param>
/// <param name="Table">Its table.</param>
/// <param name="Chain">Its chain.</param>
/// <param name="Context">What its table's other parts hashed to when it was compiled (sets, user chains); a rule is reused only when they still do.</param>
/// <param name="Flag">A fact of the parser's own (nft: the rule holds an <c>xt</c> statement; iptables: its counters are in the rule).</param>
internal readonly record struct CompiledRule(FirewallRule Rule, (TableFamily Family, string Name) Table, string Chain, UInt128 Context, bool Flag)
{
    /// <summary>The rule at <paramref name="position"/> with this handle and these counters: itself when nothing differs.</summary>
    public FirewallRule At(int position, long? handle, long? packets, long? bytes) =>
        Rule.Position == position && Rule.Handle == handle && Rule.Packets == packets && Rule.Bytes == bytes
            ? Rule
            : Rule with { Position = position, Handle = handle, Packets = packets, Bytes = bytes };
}
