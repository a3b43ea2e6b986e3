namespace PortExporter.Core.Sockets;

/// <summary>
/// A TCP listener's accept queue, as <c>ss -tln</c> shows it (Recv-Q, Send-Q) and <c>sock_diag</c> reports it
/// (<c>idiag_rqueue</c>, <c>idiag_wqueue</c> of a listening socket).
/// </summary>
/// <param name="Waiting">Connections the handshake has completed that the process has not accepted yet.</param>
/// <param name="Backlog">The most the queue holds: the <c>listen()</c> backlog, capped by <c>net.core.somaxconn</c>.</param>
public readonly record struct AcceptQueue(int Waiting, int Backlog)
{
    /// <summary>
    /// The kernel's test (<c>sk_acceptq_is_full</c>: more waiting than the backlog): while it holds, a new
    /// connection's handshake is dropped, and clients time out. A process that accepts keeps it short.
    /// </summary>
    public bool Full => Waiting > Backlog;
}
