using System.Diagnostics;
using System.Globalization;
using System.Net;
using FirewallBench;
using PortExporter.Core;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Nftables;

// Usage: FirewallBench NAMESPACE FIRST_PORT PORTS
// Measures, on the ruleset loaded in NAMESPACE: `nft -j list ruleset`, the exporter's full ruleset read,
// parsing alone, and the evaluation of PORTS watched ports (outside and inside) over the compiled ruleset.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: FirewallBench NAMESPACE FIRST_PORT PORTS");
    return 2;
}

var ns = args[0];
var firstPort = int.Parse(args[1], CultureInfo.InvariantCulture);
var portCount = int.Parse(args[2], CultureInfo.InvariantCulture);
var runner = new NetnsRunner(ns);
var timeout = TimeSpan.FromSeconds(60);

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}

// 1. nft -j list ruleset, as the tool itself costs.
var nftTimes = new List<double>();
var json = string.Empty;
for (var i = 0; i < 5; i++)
{
    var sw = Stopwatch.StartNew();
    var result = await runner.RunAsync(AllowedCommand.NftListRulesetJson, timeout, CancellationToken.None);
    nftTimes.Add(sw.Elapsed.TotalMilliseconds);
    json = result.Stdout;
}

// 2. The exporter's whole read (every backend's command, parsing, assembling).
var reader = new FirewallRulesetReader(runner, HostPaths.Default, TimeProvider.System);
var readTimes = new List<double>();
RulesetSnapshot snapshot = null!;
for (var i = 0; i < 5; i++)
{
    var sw = Stopwatch.StartNew();
    snapshot = await reader.ReadAsync(timeout, CancellationToken.None);
    readTimes.Add(sw.Elapsed.TotalMilliseconds);
}

// 3. Parsing the nft JSON alone.
var parseTimes = new List<double>();
for (var i = 0; i < 5; i++)
{
    var sw = Stopwatch.StartNew();
    NftJsonParser.Parse(json);
    parseTimes.Add(sw.Elapsed.TotalMilliseconds);
}

// 4. Verdicts for every watched port, outside and inside, over the compiled ruleset.
var network = new HostNetwork(
    [new HostInterface("lo", [IPAddress.Loopback]), new HostInterface("eth0", [IPAddress.Parse("10.77.0.1")])], "eth0", null);
var ports = Enumerable.Range(firstPort, portCount).Select(p => new PortSpec($"svc{p}", p, TransportProtocol.Tcp)).ToList();
var evalTimes = new List<double>();
var blocked = 0;
for (var i = 0; i < 20; i++)
{
    var sw = Stopwatch.StartNew();
    var evaluator = new FirewallEvaluator(snapshot.Ruleset);
    blocked = 0;
    foreach (var port in ports)
    {
        var plan = ConnectionPlanner.Plan(port, null, network, null);
        if (evaluator.Evaluate(plan.Outside!, network.IsLocal).Decision.Blocks)
        {
            blocked++;
        }

        evaluator.Evaluate(plan.Inside, network.IsLocal);
    }

    evalTimes.Add(sw.Elapsed.TotalMilliseconds);
}

var nft = Median(nftTimes);
var eval = Median(evalTimes);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rules in the ruleset:                       {snapshot.Ruleset.RuleCount}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"backends:                                   {string.Join(", ", snapshot.Backends)}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nft -j list ruleset (median of 5):          {nft,9:0.0} ms  ({json.Length / 1024.0 / 1024.0:0.0} MB of JSON)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exporter ruleset read (all backends, 5):    {Median(readTimes),9:0.0} ms  (off the scrape path)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  of which parsing nft JSON (median of 5):  {Median(parseTimes),9:0.0} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verdicts, {portCount} ports x outside+inside (20): {eval,9:0.0} ms  ({blocked} blocked from outside)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio verdicts / nft -j:                    {eval / nft,9:0.000}"));
return 0;
