using System.Diagnostics;
using PortExporter.Core.Commands;
using PortExporter.Firewall;
using PortExporter.Firewall.Firewalld;
using PortExporter.Firewall.Ipset;
using PortExporter.Firewall.Model;
using PortExporter.Firewall.Nftables;

namespace PortExporter.Core.Firewall.Reading;

/// <summary>
/// Reads the host's ruleset from every backend through <see cref="ICommandRunner"/> (read-only commands from the
/// allowlist, each with the timeout): <c>nft -j list ruleset</c> (and <c>nft list chains</c> when an ingress chain's
/// device is not in the JSON); <c>iptables-nft-save -c</c> /
/// <c>ip6tables-nft-save -c</c> only when nft shows tables with xt expressions of that family;
/// <c>iptables-legacy-save -c</c> and <c>ip6tables-legacy-save -c</c>; <c>ipset save</c> only when one of those dumps
/// has a <c>--match-set</c> rule (the sets it looks up); <c>firewall-cmd --state</c> and, when
/// running, <c>--list-all-zones</c> plus the service definitions under the root filesystem. A missing tool is an
/// absent backend. A command that times out, is cut at the output cap, exits non-zero or prints something the
/// parsers reject throws: the firewall collector fails, nothing else. Thread-safe.
/// </summary>
public sealed class FirewallRulesetReader(ICommandRunner runner, HostPaths paths, TimeProvider time)
{
    /// <summary>What an iptables-save dump shows for a rule that looks up an ipset.</summary>
    private const string SetLookup = "--match-set ";

    /// <summary>The rules of the last read, so a read compiles only the rules that changed since.</summary>
    private readonly CompiledRuleCache _compiled = new();

    public async Task<RulesetSnapshot> ReadAsync(TimeSpan commandTimeout, CancellationToken cancellationToken)
    {
        var takenAt = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var reuse = _compiled.Begin();
        var nftJson = await RunAsync(AllowedCommand.NftListRulesetJson, commandTimeout, cancellationToken).ConfigureAwait(false);
        var nft = nftJson is null ? null : NftJsonParser.Parse(nftJson.StdoutUtf8, reuse: reuse);
        if (nft is not null && NftChainDevices.Missing(nft)
            && await RunAsync(AllowedCommand.NftListChains, commandTimeout, cancellationToken).ConfigureAwait(false) is { } chains)
        {
            nft = NftChainDevices.Apply(nft, NftChainDevices.Parse(chains.Stdout));
        }

        string? ipNft = null;
        string? ip6Nft = null;
        if (nft is not null && nft.TablesWithXt.Any(t => t.Family == TableFamily.Ip))
        {
            ipNft = (await RunAsync(AllowedCommand.IptablesNftSave, commandTimeout, cancellationToken).ConfigureAwait(false))?.Stdout;
        }

        if (nft is not null && nft.TablesWithXt.Any(t => t.Family == TableFamily.Ip6))
        {
            ip6Nft = (await RunAsync(AllowedCommand.Ip6tablesNftSave, commandTimeout, cancellationToken).ConfigureAwait(false))?.Stdout;
        }

        var legacy4 = (await RunAsync(AllowedCommand.IptablesLegacySave, commandTimeout, cancellationToken).ConfigureAwait(false))?.Stdout;
        var legacy6 = (await RunAsync(AllowedCommand.Ip6tablesLegacySave, commandTimeout, cancellationToken).ConfigureAwait(false))?.Stdout;
        IpsetCatalog? sets = null;
        if (((string?[])[ipNft, ip6Nft, legacy4, legacy6]).Any(d => d is not null && d.Contains(SetLookup, StringComparison.Ordinal))
            && await RunAsync(AllowedCommand.IpsetSave, commandTimeout, cancellationToken).ConfigureAwait(false) is { } ipset)
        {
            sets = IpsetSaveParser.Parse(ipset.Stdout, AllowedCommand.IpsetSave.ToString());
        }

        var (ruleset, backends) = RulesetAssembler.Assemble(nft, ipNft, ip6Nft, legacy4, legacy6, sets, reuse);

        var firewalld = await ReadFirewalldAsync(commandTimeout, cancellationToken).ConfigureAwait(false);
        if (firewalld is not null)
        {
            backends = [.. backends, FirewallBackends.Firewalld];
        }

        _compiled.Commit(reuse);
        return new RulesetSnapshot(ruleset, backends, firewalld, takenAt, Stopwatch.GetElapsedTime(started))
        {
            RulesReused = reuse.Reused,
            RulesCompiled = reuse.Compiled,
        };
    }

    private async Task<FirewalldConfiguration?> ReadFirewalldAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var state = await runner.RunAsync(AllowedCommand.FirewalldState, timeout, cancellationToken).ConfigureAwait(false);
        if (!state.Found)
        {
            return null;
        }

        if (state.TimedOut)
        {
            throw new TimeoutException($"'{AllowedCommand.FirewalldState}' did not answer within {timeout.TotalSeconds:0.#} s (D-Bus or firewalld hung?)");
        }

        // "not running" exits 252; anything but a clean "running" means firewalld is not the one to ask.
        if (state.ExitCode != 0 || state.Stdout.Trim() != "running")
        {
            return null;
        }

        var zonesText = (await RunAsync(AllowedCommand.FirewalldListAllZones, timeout, cancellationToken).ConfigureAwait(false))?.Stdout;
        if (zonesText is null)
        {
            return null;
        }

        var zones = FirewalldZonesParser.Parse(zonesText);
        var services = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var name in zones.SelectMany(z => z.Services).Distinct(StringComparer.Ordinal))
        {
            if (name.Contains('/', StringComparison.Ordinal) || name.StartsWith('.'))
            {
                continue;
            }

            foreach (var dir in (string[])["/etc/firewalld/services", "/usr/lib/firewalld/services"])
            {
                var path = paths.Root(Path.Combine(dir, name + ".xml"));
                if (File.Exists(path))
                {
                    services[name] = FirewalldServiceParser.ParsePorts(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
                    break;
                }
            }
        }

        return new FirewalldConfiguration(zones, services);
    }

    /// <summary>The command's result when it succeeded; null when the tool is not installed.</summary>
    private async Task<CommandResult?> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(command, timeout, cancellationToken).ConfigureAwait(false);
        if (!result.Found)
        {
            return null;
        }

        if (result.TimedOut)
        {
            throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds:0.#} s");
        }

        if (result.Truncated)
        {
            throw new InvalidDataException($"'{command}' printed more than the output cap; ruleset not read");
        }

        if (result.ExitCode != 0)
        {
            var why = result.Stderr.Length == 0 ? "no message" : result.Stderr.Split('\n')[0];
            throw new InvalidOperationException($"'{command}' exited {result.ExitCode}: {why}");
        }

        return result;
    }
}
