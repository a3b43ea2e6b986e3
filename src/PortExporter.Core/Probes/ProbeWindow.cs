namespace PortExporter.Core.Probes;

/// <summary>The time a probe may take: a token cancelled at its deadline or with the caller's token. Dispose it.</summary>
internal sealed class ProbeWindow : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;

    public ProbeWindow(TimeSpan remaining, TimeProvider time, CancellationToken cancellationToken)
    {
        _deadline = new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _deadline.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _deadline.Dispose();
    }
}
