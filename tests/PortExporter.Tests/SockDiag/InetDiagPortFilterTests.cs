using System.Buffers.Binary;
using System.Globalization;
using PortExporter.Core.Sockets;

namespace PortExporter.Tests.SockDiag;

/// <summary>
/// The inet_diag bytecode builder: byte for byte what <c>ss</c> sends for the same filter (fixtures captured with
/// strace, see fixtures/README.md), and, run through a model of the kernel's interpreter and its audit, accepting
/// exactly the asked ports.
/// </summary>
public sealed class InetDiagPortFilterTests
{
    [Theory]
    [InlineData("one-port", new[] { 8080 })]
    [InlineData("two-ports", new[] { 8080, 443 })]
    [InlineData("three-ports", new[] { 443, 22, 8080, 443 })]
    [InlineData("range", new[] { 8080, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088, 8089, 8090 })]
    [InlineData("range-and-port", new[] { 9100, 8080, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088, 8089, 8090 })]
    [InlineData("port-range-port", new[] { 22, 9100, 8080, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088, 8089, 8090 })]
    public void Matches_the_bytes_ss_sends_for_the_same_ports(string fixture, int[] ports)
    {
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SockDiag", "fixtures", fixture + ".hex"))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => byte.Parse(b, NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .ToArray();

        Assert.Equal(expected, InetDiagPortFilter.Build(ports));
    }

    [Fact]
    public void No_ports_is_no_filter()
    {
        Assert.Null(InetDiagPortFilter.Build([]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Rejects_ports_outside_16_bits(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => InetDiagPortFilter.Build([port]));
    }

    [Fact]
    public void Runs_of_ports_become_ranges_and_past_the_limit_the_closest_runs_merge()
    {
        Assert.Equal([(22, 22), (80, 81), (443, 443)], InetDiagPortFilter.Ranges([443, 81, 22, 80, 80]));
        Assert.Equal([(22, 81), (443, 443)], InetDiagPortFilter.Ranges([443, 81, 22, 80], maxBlocks: 2));
        Assert.Equal([(22, 443)], InetDiagPortFilter.Ranges([443, 81, 22, 80], maxBlocks: 1));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(50, 7)]
    [InlineData(50, 1)]
    [InlineData(1000, 3)]
    [InlineData(5000, 11)]
    public void The_kernel_accepts_the_program_and_it_keeps_the_asked_ports(int count, int seed)
    {
        var random = new Random(seed);
        var ports = Enumerable.Range(0, count).Select(_ => random.Next(1, 65536)).ToHashSet();
        if (count > 10)
        {
            // A few runs of consecutive ports, as a config with neighbouring services has.
            var start = random.Next(1, 60000);
            ports.UnionWith(Enumerable.Range(start, 5));
        }

        var code = InetDiagPortFilter.Build(ports)!;

        Assert.True(code.Length <= (InetDiagPortFilter.MaxBlocks * 20) - 4, $"{code.Length} bytes");
        Assert.True(KernelModel.Audit(code), "the kernel's bytecode audit would refuse the program");
        var merged = ports.Count > InetDiagPortFilter.MaxBlocks;
        var ranges = InetDiagPortFilter.Ranges(ports);
        for (var port = 0; port <= 65535; port++)
        {
            var accepted = KernelModel.Run(code, port);
            if (ports.Contains(port))
            {
                Assert.True(accepted, $"port {port} refused");
            }
            else if (!merged)
            {
                Assert.False(accepted, $"port {port} accepted");
            }
            else
            {
                Assert.Equal(ranges.Any(r => r.Low <= port && port <= r.High), accepted);
            }
        }
    }

    /// <summary>
    /// The kernel's <c>inet_diag_bc_run</c> and <c>inet_diag_bc_audit</c> (net/ipv4/inet_diag.c), restricted to the
    /// operations the builder emits, written from their documented behaviour.
    /// </summary>
    private static class KernelModel
    {
        public static bool Run(byte[] code, int sport)
        {
            var at = 0;
            var length = code.Length;
            while (length > 0)
            {
                var op = code[at];
                bool yes;
                switch (op)
                {
                    case 1: // JMP
                        yes = false;
                        break;
                    case 2: // S_GE
                        yes = sport >= BinaryPrimitives.ReadUInt16LittleEndian(code.AsSpan(at + 6));
                        break;
                    case 3: // S_LE
                        yes = sport <= BinaryPrimitives.ReadUInt16LittleEndian(code.AsSpan(at + 6));
                        break;
                    case 7: // S_COND with AF_UNSPEC and prefix 0: the port alone
                        Assert.Equal(0, code[at + 4]);
                        Assert.Equal(0, code[at + 5]);
                        var port = BinaryPrimitives.ReadInt32LittleEndian(code.AsSpan(at + 8));
                        yes = port == -1 || port == sport;
                        break;
                    default:
                        throw new InvalidOperationException($"unexpected op {op}");
                }

                var jump = yes ? code[at + 1] : BinaryPrimitives.ReadUInt16LittleEndian(code.AsSpan(at + 2));
                at += jump;
                length -= jump;
            }

            return length == 0;
        }

        public static bool Audit(byte[] code)
        {
            var at = 0;
            var length = code.Length;
            while (length > 0)
            {
                var op = code[at];
                var minLength = op switch
                {
                    1 => 4,
                    2 or 3 => 8,
                    7 => 12,
                    _ => -1,
                };
                if (minLength < 0 || ((op is 2 or 3) && length < 8))
                {
                    return false;
                }

                var yes = code[at + 1];
                var no = BinaryPrimitives.ReadUInt16LittleEndian(code.AsSpan(at + 2));
                if (no < minLength || no > length + 4 || (no & 3) != 0)
                {
                    return false;
                }

                if (no < length && !ReachableByYes(code, code.Length - length + no))
                {
                    return false;
                }

                if (yes < minLength || yes > length + 4 || (yes & 3) != 0)
                {
                    return false;
                }

                at += yes;
                length -= yes;
            }

            return length == 0;
        }

        /// <summary>The kernel's valid_cc: a jump target must be the start of an operation on the "yes" path.</summary>
        private static bool ReachableByYes(byte[] code, int target)
        {
            var at = 0;
            while (at <= target)
            {
                if (at == target)
                {
                    return true;
                }

                if (code[at + 1] < 4 || (code[at + 1] & 3) != 0)
                {
                    return false;
                }

                at += code[at + 1];
            }

            return false;
        }
    }
}
