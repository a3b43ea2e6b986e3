using System.Diagnostics;
using System.Globalization;
using System.Net;
using PortExporter.Core;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Firewall.Reading;
using PortExporter.Firewall.Evaluation;
using PortExporter.Firewall.Nftables;

// Usage: FirewallBench FIRST_PORT PORTS, run inside the namespace that holds the ruleset (ip netns exec).
// Measures, with the exporter's own command runner: `nft -j list ruleset`, the exporter's full ruleset read,
// parsing alone, and the evaluation of PORTS watched ports (outside and inside) over the compiled ruleset.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ip netns exec NAMESPACE FirewallBench FIRST_PORT PORTS");
    return 2;
}

var firstPort = int.Parse(args[0], CultureInfo.InvariantCulture);
var portCount = int.Parse(args[1], CultureInfo.InvariantCulture);
using var runner = new ProcessCommandRunner();
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
var readAllocations = new List<double>();
RulesetSnapshot snapshot = null!;
for (var i = 0; i < 5; i++)
{
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var sw = Stopwatch.StartNew();
    snapshot = await reader.ReadAsync(timeout, CancellationToken.None);
    readTimes.Add(sw.Elapsed.TotalMilliseconds);
    readAllocations.Add(GC.GetTotalAllocatedBytes(precise: true) - allocated);
}


// 3. Parsing the nft JSON alone.
var parseTimes = new List<double>();
var parseAllocations = new List<double>();
var utf8 = System.Text.Encoding.UTF8.GetBytes(json);
for (var i = 0; i < 5; i++)
{
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var sw = Stopwatch.StartNew();
    NftJsonParser.Parse(utf8);
    parseTimes.Add(sw.Elapsed.TotalMilliseconds);
    parseAllocations.Add(GC.GetTotalAllocatedBytes(precise: true) - allocated);
}

// 3a. Parsing it again with the rules of the previous parse (what a refresh of an unchanged ruleset does).
var rules = new PortExporter.Firewall.CompiledRuleCache();
var primed = rules.Begin();
NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(utf8), reuse: primed);
rules.Commit(primed);
var reparseTimes = new List<double>();
var reparseAllocations = new List<double>();
for (var i = 0; i < 5; i++)
{
    var session = rules.Begin();
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var sw = Stopwatch.StartNew();
    NftJsonParser.Parse(new System.Buffers.ReadOnlySequence<byte>(utf8), reuse: session);
    reparseTimes.Add(sw.Elapsed.TotalMilliseconds);
    reparseAllocations.Add(GC.GetTotalAllocatedBytes(precise: true) - allocated);
    rules.Commit(session);
}

// 3b. Parsing iptables-nft-save alone, when the ruleset has xt tables (every rule compiled).
var saveAllocations = new List<double>();
var save = (await runner.RunAsync(AllowedCommand.IptablesNftSave, timeout, CancellationToken.None)).Stdout;
for (var i = 0; i < 5; i++)
{
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    PortExporter.Firewall.Iptables.IptablesSaveParser.Parse(save, "iptables-nft", 4, "iptables-nft-save -c");
    saveAllocations.Add(GC.GetTotalAllocatedBytes(precise: true) - allocated);
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

        foreach (var inside in plan.Inside.Connections)
        {
            evaluator.Evaluate(inside, network.IsLocal);
        }
    }

    evalTimes.Add(sw.Elapsed.TotalMilliseconds);
}

var firstReadAllocation = readAllocations[0];
var nft = Median(nftTimes);
var eval = Median(evalTimes);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rules in the ruleset:                       {snapshot.Ruleset.RuleCount}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"backends:                                   {string.Join(", ", snapshot.Backends)}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nft -j list ruleset (median of 5):          {nft,9:0.0} ms  ({json.Length / 1024.0 / 1024.0:0.0} MB of JSON)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exporter ruleset read (all backends, 5):    {Median(readTimes),9:0.0} ms  (off the scrape path)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  allocated by one read (median of 5):      {Median(readAllocations) / 1024 / 1024,9:0.0} MB  (the first, which compiles every rule: {firstReadAllocation / 1024 / 1024:0.0} MB; the last: {snapshot.RulesCompiled} rules compiled, {snapshot.RulesReused} reused)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  of which parsing nft JSON (median of 5):  {Median(parseTimes),9:0.0} ms, {Median(parseAllocations) / 1024 / 1024:0.0} MB allocated"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  parsing it again, every rule reused (5):  {Median(reparseTimes),9:0.0} ms, {Median(reparseAllocations) / 1024 / 1024:0.0} MB allocated"));
if (save.Length > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  parsing iptables-nft-save alone:          {Median(saveAllocations) / 1024 / 1024,9:0.0} MB allocated"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verdicts, {portCount} ports x outside+inside (20): {eval,9:0.0} ms  ({blocked} blocked from outside)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio verdicts / nft -j:                    {eval / nft,9:0.000}"));
return 0;
