namespace PortExporter.Core.Probes;

/// <summary>What a remote vantage said to one <c>/probe</c> request.</summary>
/// <param name="Answered">False when it could not be reached, timed out or answered something that is not a
/// <c>/probe</c> answer: the vantage is down, and that says nothing about the port.</param>
/// <param name="Results">Its probe results (empty when it has no target for the port, or did not answer).</param>
/// <param name="Problem">One line on why it did not answer, or why it had nothing.</param>
public sealed record RemoteProbeAnswer(bool Answered, IReadOnlyList<RemoteProbeResult> Results, string? Problem = null)
{
    public static RemoteProbeAnswer Down(string problem) => new(false, [], problem);
}
