using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Iptables;
using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>
/// <see cref="ChainIndex"/> gives, in chain order, exactly the rules whose pre-check passes, whether it filters
/// short buckets on each call or keeps the candidates of long ones.
/// </summary>
public sealed class ChainIndexTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(400)]
    public void Candidates_are_the_rules_that_might_match_in_chain_order(int portlessBelow)
    {
        var lines = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            lines.Add((i % 10) switch
            {
                // A long bucket: 80 rules on port 22, one source each (kept candidates).
                0 or 1 => $"-A INPUT -s 10.0.{i / 256}.{i % 256}/32 -p tcp -m tcp --dport 22 -j ACCEPT",
                2 => $"-A INPUT -p udp -m udp --dport {1000 + i} -j DROP",
                3 => $"-A INPUT -p tcp -m multiport --dports {2000 + i},{3000 + i},22 -j DROP",
                // Three general rules (a port range too wide to index, no port), so other buckets are filtered on each
                // call; or 42, so every list is kept.
                4 when i is 4 or 304 => "-A INPUT -p tcp -m multiport --dports 5000:5100 -j REJECT",
                5 when i < portlessBelow => "-A INPUT -i lo -j ACCEPT",
                6 => $"-A INPUT -d 10.9.0.{i % 256}/32 -p tcp -m tcp --dport {1000 + i} -j ACCEPT",
                _ => $"-A INPUT -p tcp -m tcp --dport {1000 + i} -j DROP",
            });
        }

        var text = "*filter\n:INPUT ACCEPT [0:0]\n" + string.Join('\n', lines.Select(l => "[0:0] " + l)) + "\nCOMMIT\n";
        var chain = IptablesSaveParser.Parse(text, FirewallBackends.IptablesLegacy, 4, "test").Single().Chains["INPUT"];
        var index = new ChainIndex(chain);
        int[] ports = [22, 23, 1002, 1007, 1012, 1016, 2013, 3013, 5000, 5050, 5101, 65535];
        string[] sources = ["10.0.0.0", "10.0.0.1", "10.0.0.10", "10.0.1.1", "203.0.113.1"];
        foreach (var source in sources)
        {
            foreach (var udp in (bool[])[false, true])
            {
                foreach (var port in ports)
                {
                    Check(Packets.Syn(source, "10.9.0.6", port, udp: udp));
                }

                foreach (var (low, high) in ((int, int)[])[(1, 65535), (5000, 5001), (20, 25)])
                {
                    var packet = Packets.Syn(source, "10.9.0.6", low, udp: udp);
                    packet.DestinationPortLow = low;
                    packet.DestinationPortHigh = high;
                    Check(packet);
                }
            }
        }

        void Check(PacketState packet)
        {
            var expected = chain.Rules.Where(r => r.MightMatch(packet)).ToList();
            Assert.Equal(expected, index.Candidates(packet));
            Assert.Equal(expected, index.Candidates(packet));
        }
    }
}
