namespace PortExporter.Web.Security;

/// <summary>How much bcrypt work basic auth may do and queue (see <see cref="BcryptGate"/> and <see cref="CredentialCheckCache"/>).</summary>
/// <param name="Concurrency">bcrypt checks running at once.</param>
/// <param name="MaxQueuedPerClient">checks one client (remote address; an IPv6 /64) may have waiting; more are answered 429.</param>
/// <param name="MaxQueued">checks all clients together may have waiting; more are answered 429.</param>
/// <param name="MaxCachedFailures">failed checks remembered (oldest forgotten first); successes are kept apart, one per user.</param>
public sealed record BasicAuthLimits(int Concurrency, int MaxQueuedPerClient, int MaxQueued, int MaxCachedFailures)
{
    /// <summary>One check per core at once, 4 waiting per client, 256 waiting in all, 1024 failures remembered.</summary>
    public static BasicAuthLimits Default { get; } = new(Environment.ProcessorCount, 4, 256, 1024);
}
