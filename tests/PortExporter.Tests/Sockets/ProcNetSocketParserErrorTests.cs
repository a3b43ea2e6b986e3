using PortExporter.Core.Sockets;

namespace PortExporter.Tests.Sockets;

public sealed class ProcNetSocketParserErrorTests
{
    private const string Header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    private const string Header6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    private const string Good = "   0: 0100007F:1F42 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 59992 1 000000009fd5d465 100 0 0 10 0\n";

    public static TheoryData<string, string, int, string, string> Malformed => new()
    {
        { "empty file", string.Empty, 1, "header", string.Empty },
        { "not a socket table", "hello world\n", 1, "header", "hello world" },
        { "binary garbage", "\u0001\u0002\u0000\u00ff\n", 1, "header", "\u0001\u0002" },
        { "cut after four fields", Header + "   0: 0100007F:1F42 00000000:0000 0A\n", 2, "tx_queue:rx_queue", "   0: 0100007F:1F42 00000000:0000 0A" },
        { "cut inside an address", Header + Good + "   1: 0100007F:1F", 3, "rem_address", "   1: 0100007F:1F" },
        { "blank line", Header + Good + "\n" + Good, 3, "sl", string.Empty },
        { "slot without colon", Header + Good.Replace("   0:", "   0 ", StringComparison.Ordinal), 2, "sl", "0" },
        { "non-hex local address", Header + Good.Replace("0100007F:1F42", "01000G7F:1F42", StringComparison.Ordinal), 2, "local_address", "01000G7F:1F42" },
        { "local address without port", Header + Good.Replace("0100007F:1F42", "0100007F_1F42", StringComparison.Ordinal), 2, "local_address", "0100007F_1F42" },
        { "ipv6 address in the ipv4 table", Header + Good.Replace("0100007F:1F42", "00000000000000000000000001000000:1F42", StringComparison.Ordinal), 2, "local_address", "00000000000000000000000001000000:1F42" },
        { "short port", Header + Good.Replace("0100007F:1F42", "0100007F:1F4", StringComparison.Ordinal), 2, "local_address", "0100007F:1F4" },
        { "bad remote address", Header + Good.Replace("00000000:0000", "00000000:00x0", StringComparison.Ordinal), 2, "rem_address", "00000000:00x0" },
        { "bad state", Header + Good.Replace(" 0A ", " 0Z ", StringComparison.Ordinal), 2, "st", "0Z" },
        { "one-digit state", Header + Good.Replace(" 0A ", " A ", StringComparison.Ordinal), 2, "st", "A" },
        { "negative inode", Header + Good.Replace(" 59992 ", " -5 ", StringComparison.Ordinal), 2, "inode", "-5" },
        { "inode overflow", Header + Good.Replace(" 59992 ", " 99999999999999999999999 ", StringComparison.Ordinal), 2, "inode", "99999999999999999999999" },
        { "error on a later line", Header + Good + Good + Good.Replace(" 59992 ", " x ", StringComparison.Ordinal), 4, "inode", "x" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Names_file_line_field_and_raw_value(string why, string text, int line, string field, string raw)
    {
        var e = Assert.Throws<ProcfsFormatException>(() => ProcNetSocketParser.Parse(text, SocketTable.Tcp, source: "/proc/net/tcp"));

        Assert.True(e.LineNumber == line, $"{why}: line {e.LineNumber}, expected {line}");
        Assert.Equal("/proc/net/tcp", e.File);
        Assert.Equal(field, e.Field);
        Assert.StartsWith(raw, e.RawValue, StringComparison.Ordinal);
        Assert.StartsWith($"/proc/net/tcp line {line}: field {field}: expected ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_an_ipv4_address_in_the_ipv6_table()
    {
        var e = Assert.Throws<ProcfsFormatException>(() => ProcNetSocketParser.Parse(Header6 + Good, SocketTable.Tcp6));

        Assert.Equal("local_address", e.Field);
        Assert.Contains("32 and 4 hex digits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stops_at_an_enormous_line_without_reading_it_all()
    {
        var reader = new EndlessReader(Header, () => "A");
        var e = Assert.Throws<ProcfsFormatException>(
            () => ProcNetSocketParser.Parse(reader, SocketTable.Tcp, "/proc/net/tcp", null, new List<Listener>(), CancellationToken.None));

        Assert.Equal(2, e.LineNumber);
        Assert.Equal("line", e.Field);
        Assert.Contains("at most 4096 characters", e.Message, StringComparison.Ordinal);
        Assert.True(e.RawValue.Length <= ProcfsFormatException.MaxRawValueLength, "the raw value in the message is clipped");
        Assert.True(reader.CharsServed < 64 * 1024, $"read {reader.CharsServed} characters of an endless line");
    }

    [Fact]
    public void Stops_at_a_bound_on_listeners_from_an_endless_table()
    {
        var reader = new EndlessReader(Header, () => Good);
        var listeners = new List<Listener>();
        var e = Assert.Throws<ProcfsFormatException>(
            () => ProcNetSocketParser.Parse(reader, SocketTable.Tcp, "/proc/net/tcp", null, listeners, CancellationToken.None));

        Assert.Contains($"at most {ProcNetSocketParser.MaxListenersPerTable} listeners", e.Message, StringComparison.Ordinal);
        Assert.Equal(ProcNetSocketParser.MaxListenersPerTable, listeners.Count);
    }

    [Fact]
    public void Stops_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var reader = new EndlessReader(Header, () => Good.Replace(" 0A ", " 01 ", StringComparison.Ordinal));

        Assert.Throws<OperationCanceledException>(
            () => ProcNetSocketParser.Parse(reader, SocketTable.Tcp, "/proc/net/tcp", null, new List<Listener>(), cts.Token));
    }

    /// <summary>A reader that serves a header and then the same chunk forever, counting what it served.</summary>
    private sealed class EndlessReader(string header, Func<string> chunk) : TextReader
    {
        private string _pending = header;
        private int _offset;

        public long CharsServed { get; private set; }

        public override int Read(char[] buffer, int index, int count)
        {
            if (_offset == _pending.Length)
            {
                _pending = chunk();
                _offset = 0;
            }

            var n = Math.Min(count, _pending.Length - _offset);
            _pending.CopyTo(_offset, buffer, index, n);
            _offset += n;
            CharsServed += n;
            return n;
        }
    }
}
