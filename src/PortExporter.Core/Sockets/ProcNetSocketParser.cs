using System.Globalization;
using System.Net;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Parses the kernel's socket tables (<c>/proc/net/tcp</c>, <c>tcp6</c>, <c>udp</c>, <c>udp6</c>) into
/// <see cref="Listener"/>s: TCP sockets in state LISTEN (<c>st</c> = 0A) and UDP sockets whose remote
/// address and port are zero (bound, not connected). Pure: it reads only the text it is given.
/// </summary>
/// <remarks>
/// <para>Format (net/ipv4/tcp_ipv4.c <c>get_tcp4_sock</c>, net/ipv6/tcp_ipv6.c, net/ipv4/udp.c): a header line,
/// then one line per socket: <c>sl local_address rem_address st tx_queue:rx_queue tr:tm-&gt;when retrnsmt uid
/// timeout inode ...</c>. An IPv4 address is one 32-bit word printed with <c>%08X</c> from the network-order
/// value as the CPU holds it, so on little-endian hosts <c>0100007F</c> is 127.0.0.1; an IPv6 address is four
/// such words. Ports are 4 hex digits in host order; <c>inode</c> is decimal.</para>
/// <para>Every line is checked, listener or not, so a truncated or garbled table is an error rather than a
/// silently short list. Lines are parsed as spans from one fixed buffer: a table of any length costs one
/// <see cref="Listener"/> per listener and nothing per other line.</para>
/// <para>IPV6_V6ONLY is not in these tables; a [::] listener gets the <c>net.ipv6.bindv6only</c> default the
/// caller passes, which is wrong for a socket that set the option itself (sock_diag would tell).</para>
/// </remarks>
public static class ProcNetSocketParser
{
    /// <summary>Longest line accepted; the kernel's are under 200 characters.</summary>
    public const int MaxLineLength = 4096;

    /// <summary>Most listeners accepted from one table (every port four times over); more is not a real host.</summary>
    public const int MaxListenersPerTable = 4 * 65536;

    private const int FieldCount = 10;
    private const byte TcpListen = 0x0A;
    private static readonly string[] FieldNames =
        ["sl", "local_address", "rem_address", "st", "tx_queue:rx_queue", "tr:tm->when", "retrnsmt", "uid", "timeout", "inode"];

    /// <summary>Parses a whole table held in a string (tests, fixtures).</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="table">Which table the text is.</param>
    /// <param name="v6OnlyDefault">The <c>net.ipv6.bindv6only</c> value for [::] listeners, or null when unknown.</param>
    /// <param name="source">The file name used in error messages; defaults to the table's.</param>
    public static IReadOnlyList<Listener> Parse(string text, SocketTable table, bool? v6OnlyDefault = null, string? source = null)
    {
        var listeners = new List<Listener>();
        using var reader = new StringReader(text);
        Parse(reader, table, source ?? table.FileName, v6OnlyDefault, listeners, CancellationToken.None);
        return listeners;
    }

    /// <summary>Parses a table from <paramref name="reader"/>, adding its listeners to <paramref name="into"/>.</summary>
    /// <exception cref="ProcfsFormatException">The text is not a socket table: it names the line, field and raw value.</exception>
    public static void Parse(
        TextReader reader, SocketTable table, string source, bool? v6OnlyDefault, ICollection<Listener> into, CancellationToken cancellationToken)
    {
        var lines = new BoundedLineReader(reader, source, MaxLineLength);
        if (!lines.TryReadLine(out var header))
        {
            throw new ProcfsFormatException(source, 1, "header", [], "the header line 'sl local_address ...' (the file is empty)");
        }

        if (!IsHeader(header))
        {
            throw new ProcfsFormatException(source, 1, "header", header, "the header line 'sl local_address ...'");
        }

        var added = 0;
        while (lines.TryReadLine(out var line))
        {
            if ((lines.LineNumber & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var listener = ParseLine(line, lines.LineNumber, table, source, v6OnlyDefault);
            if (listener is null)
            {
                continue;
            }

            if (++added > MaxListenersPerTable)
            {
                throw new ProcfsFormatException(
                    source, lines.LineNumber, "line", line, string.Create(CultureInfo.InvariantCulture, $"at most {MaxListenersPerTable} listeners in one table"));
            }

            into.Add(listener);
        }
    }

    /// <summary>Parses one socket line: the listener it describes, or null for any other socket.</summary>
    internal static Listener? ParseLine(ReadOnlySpan<char> line, int lineNumber, SocketTable table, string source, bool? v6OnlyDefault)
    {
        Span<Range> fields = stackalloc Range[FieldCount];
        var found = SplitFields(line, fields);
        if (found < FieldCount)
        {
            throw new ProcfsFormatException(
                source, lineNumber, FieldNames[found], line, string.Create(CultureInfo.InvariantCulture, $"{FieldCount} fields (line truncated?)"));
        }

        var sl = line[fields[0]];
        if (sl.Length < 2 || sl[^1] != ':' || !IsDecimal(sl[..^1]))
        {
            throw new ProcfsFormatException(source, lineNumber, "sl", sl, "a slot number and ':'");
        }

        var addressDigits = table.IsIPv6 ? 32 : 8;
        var local = line[fields[1]];
        if (!TryParseEndpoint(local, addressDigits, out var localWords, out var localPort))
        {
            throw new ProcfsFormatException(source, lineNumber, "local_address", local, ExpectedEndpoint(addressDigits));
        }

        var remote = line[fields[2]];
        if (!TryParseEndpoint(remote, addressDigits, out var remoteWords, out var remotePort))
        {
            throw new ProcfsFormatException(source, lineNumber, "rem_address", remote, ExpectedEndpoint(addressDigits));
        }

        var stateText = line[fields[3]];
        if (stateText.Length != 2 || !TryParseHex(stateText, out var state))
        {
            throw new ProcfsFormatException(source, lineNumber, "st", stateText, "a socket state as 2 hex digits");
        }

        var inodeText = line[fields[9]];
        if (!ulong.TryParse(inodeText, NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
        {
            throw new ProcfsFormatException(source, lineNumber, "inode", inodeText, "a decimal inode number");
        }

        var keep = table.Protocol == TransportProtocol.Tcp
            ? state == TcpListen
            : remoteWords.IsZero && remotePort == 0;
        if (!keep)
        {
            return null;
        }

        var address = localWords.ToAddress(table.IsIPv6);
        bool? v6Only = table.IsIPv6 && address.Equals(IPAddress.IPv6Any) ? v6OnlyDefault : null;
        return new Listener(table.Protocol, address, (int)localPort, inode, v6Only);
    }

    private static bool IsHeader(ReadOnlySpan<char> line)
    {
        var trimmed = line.TrimStart(' ');
        return trimmed.StartsWith("sl ", StringComparison.Ordinal) && trimmed.Contains("local_address", StringComparison.Ordinal);
    }

    /// <summary>Splits on runs of spaces into at most <paramref name="fields"/>.Length fields; returns how many were found.</summary>
    private static int SplitFields(ReadOnlySpan<char> line, Span<Range> fields)
    {
        var count = 0;
        var i = 0;
        while (count < fields.Length)
        {
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            if (i == line.Length)
            {
                break;
            }

            var start = i;
            while (i < line.Length && line[i] != ' ')
            {
                i++;
            }

            fields[count++] = new Range(start, i);
        }

        return count;
    }

    private static bool TryParseEndpoint(ReadOnlySpan<char> text, int addressDigits, out AddressWords words, out uint port)
    {
        words = default;
        port = 0;
        if (text.Length != addressDigits + 5 || text[addressDigits] != ':')
        {
            return false;
        }

        for (var w = 0; w < addressDigits / 8; w++)
        {
            if (!TryParseHex(text.Slice(w * 8, 8), out var word))
            {
                return false;
            }

            words[w] = word;
        }

        return TryParseHex(text[(addressDigits + 1)..], out port);
    }

    private static bool TryParseHex(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        foreach (var c in text)
        {
            uint digit = c switch
            {
                >= '0' and <= '9' => (uint)(c - '0'),
                >= 'A' and <= 'F' => (uint)(c - 'A' + 10),
                >= 'a' and <= 'f' => (uint)(c - 'a' + 10),
                _ => uint.MaxValue,
            };
            if (digit == uint.MaxValue)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static bool IsDecimal(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private static string ExpectedEndpoint(int addressDigits) =>
        string.Create(CultureInfo.InvariantCulture, $"ADDRESS:PORT as {addressDigits} and 4 hex digits");

    /// <summary>An address as the kernel prints it: one (IPv4) or four (IPv6) 32-bit words in host byte order.</summary>
    [System.Runtime.CompilerServices.InlineArray(4)]
    private struct AddressWords
    {
        private uint _word;

        public readonly bool IsZero
        {
            get
            {
                foreach (var word in this)
                {
                    if (word != 0)
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        public readonly IPAddress ToAddress(bool ipv6)
        {
            if (IsZero)
            {
                return ipv6 ? IPAddress.IPv6Any : IPAddress.Any;
            }

            // Each word holds network-order bytes read as a native integer: writing it back natively restores them.
            Span<byte> bytes = stackalloc byte[16];
            var count = ipv6 ? 4 : 1;
            for (var w = 0; w < count; w++)
            {
                BitConverter.TryWriteBytes(bytes.Slice(w * 4, 4), this[w]);
            }

            return new IPAddress(bytes[..(count * 4)]);
        }
    }
}
