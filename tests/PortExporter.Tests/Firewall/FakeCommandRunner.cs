using System.Collections.Concurrent;
using PortExporter.Core.Commands;

namespace PortExporter.Tests.Firewall;

/// <summary>Answers allowlisted commands from a table (by command line); unknown commands are "not installed".</summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    private readonly ConcurrentDictionary<string, CommandResult> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _calls = new();

    public IReadOnlyCollection<string> Calls => _calls;

    public FakeCommandRunner Answer(AllowedCommand command, string stdout, int exitCode = 0, string stderr = "")
    {
        _answers[command.ToString()] = new CommandResult(true, exitCode, stdout, stderr, false, false);
        return this;
    }

    public FakeCommandRunner Hang(AllowedCommand command)
    {
        _answers[command.ToString()] = new CommandResult(true, -1, string.Empty, string.Empty, true, false);
        return this;
    }

    public FakeCommandRunner Absent(AllowedCommand command)
    {
        _answers.TryRemove(command.ToString(), out _);
        return this;
    }

    /// <summary>The nft/iptables answers of a captured fixture folder.</summary>
    public static FakeCommandRunner FromFixture(string fixture) => new FakeCommandRunner()
        .Answer(AllowedCommand.NftListRulesetJson, FirewallFixture.Read(fixture, "nft.json"))
        .Answer(AllowedCommand.NftListChains, FirewallFixture.ReadOptional(fixture, "nft-chains.txt") ?? "")
        .Answer(AllowedCommand.IptablesNftSave, FirewallFixture.Read(fixture, "iptables-nft-save.txt"))
        .Answer(AllowedCommand.Ip6tablesNftSave, FirewallFixture.Read(fixture, "ip6tables-nft-save.txt"))
        .Answer(AllowedCommand.IptablesLegacySave, FirewallFixture.Read(fixture, "iptables-legacy-save.txt"))
        .Answer(AllowedCommand.Ip6tablesLegacySave, FirewallFixture.Read(fixture, "ip6tables-legacy-save.txt"));

    public Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _calls.Enqueue(command.ToString());
        return Task.FromResult(_answers.TryGetValue(command.ToString(), out var answer) ? answer : CommandResult.NotFound);
    }
}
