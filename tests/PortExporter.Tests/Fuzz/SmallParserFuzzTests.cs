using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CsCheck;
using PortExporter.Core.Configuration;
using PortExporter.Core.Network;
using PortExporter.Hosting;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Fuzz;

public sealed class SmallParserFuzzTests
{
    private static readonly string[] RouteSeeds =
    [
        File.ReadAllText("/proc/net/route"),
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n",
    ];

    private static readonly string[] Route6Seeds =
    [
        File.ReadAllText("/proc/net/ipv6_route"),
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n",
    ];

    [Fact]
    public void Route_tables_give_an_interface_or_a_FormatException()
    {
        string[] tokens = ["\t", " ", "\n", "0", "F", "FFFFFFFF", "-1", "99999999999999999999", "x", "lo", "00000000"];
        Mutations.Mutated(RouteSeeds, tokens).Fuzz(text => Only<FormatException>(() => ProcNetParsers.ParseRoutes(text)));
        Mutations.Mutated(Route6Seeds, tokens).Fuzz(text => Only<FormatException>(() => ProcNetParsers.ParseIpv6Routes(text)));
        Mutations.Text("0123456789abcdefABCDEF \t\nethlo-", 400).Fuzz(text =>
        {
            Only<FormatException>(() => ProcNetParsers.ParseRoutes(text));
            Only<FormatException>(() => ProcNetParsers.ParseIpv6Routes(text));
        });
    }

    [Fact]
    public void HostPort_parsing_never_throws_and_round_trips()
    {
        var host = Gen.OneOf(
            Mutations.Text("abcxyz019.-_", 20),
            Gen.Byte.Array[4].Select(b => new IPAddress(b).ToString()),
            Gen.Byte.Array[16].Select(b => $"[{new IPAddress(b)}]"),
            Mutations.Text("[]:.%0123456789abcdef", 30));
        var port = Gen.OneOf(Gen.Int[-5, 70000].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Mutations.Text("0123456789+- x", 8));
        Gen.OneOf(Gen.Select(host, Gen.OneOf(":", "::", "", "]:"), port, (h, sep, p) => h + sep + p), Gen.String[0, 40]).Fuzz(text =>
        {
            if (HostPort.TryParse(text, out var parsed))
            {
                Assert.InRange(parsed!.Port, 1, 65535);
                Assert.True(HostPort.TryParse(parsed.ToString(), out var again), parsed.ToString());
                Assert.Equal(parsed, again);
            }
        });
    }

    [Fact]
    public void Listen_addresses_parse_or_say_why()
    {
        Gen.OneOf(Mutations.Text("[]:.0123456789abcdeflocalhost", 30), Gen.String[0, 40]).Fuzz(text =>
        {
            var ok = ListenAddress.TryParse(text, out var parsed, out var error);
            Assert.True(ok ? parsed is not null && error is null : parsed is null && !string.IsNullOrEmpty(error), text);
        });
    }

    [Fact]
    public void Basic_credentials_never_throw_and_round_trip()
    {
        Gen.OneOf(Gen.String[0, 60], Mutations.Text("Basic YWxpY2U6c2VjcmV0=+/ !", 60)).Fuzz(header => { _ = BasicCredentials.TryParse(header, out _); });
        Gen.Select(Gen.String[0, 30], Gen.String[0, 30]).Fuzz((user, password) =>
        {
            user = user.Replace(":", string.Empty, StringComparison.Ordinal);
            var strict = new UTF8Encoding(false, true);
            byte[] bytes;
            try
            {
                bytes = strict.GetBytes($"{user}:{password}");
            }
            catch (EncoderFallbackException)
            {
                return; // lone surrogates cannot travel as UTF-8
            }

            Assert.True(BasicCredentials.TryParse("Basic " + Convert.ToBase64String(bytes), out var parsed));
            Assert.Equal(new BasicCredentials(user, password), parsed);
        });
    }

    [Fact]
    public void Subject_alternative_names_decode_or_stop_without_throwing()
    {
        var builder = new SubjectAlternativeNameBuilder();
        builder.AddDnsName("prometheus.example");
        builder.AddIpAddress(IPAddress.Parse("2001:db8::1"));
        builder.AddEmailAddress("ops@example.net");
        builder.AddUri(new Uri("spiffe://example/prometheus"));
        var der = builder.Build().RawData;
        Assert.Equal(["prometheus.example", "2001:db8::1", "ops@example.net", "spiffe://example/prometheus"], SubjectAlternativeNames.Parse(der));

        var mutated = Gen.Select(Gen.Int[0, der.Length - 1], Gen.Byte, Gen.Int[0, der.Length], (at, value, cut) =>
        {
            var copy = (byte[])der.Clone();
            copy[at] = value;
            return copy[..cut];
        });
        Gen.OneOf(mutated, Gen.Byte.Array[0, 200]).Fuzz(bytes => _ = SubjectAlternativeNames.Parse(bytes));
    }

    private static void Only<TException>(Action parse)
        where TException : Exception
    {
        try
        {
            parse();
        }
        catch (TException)
        {
        }
    }
}
