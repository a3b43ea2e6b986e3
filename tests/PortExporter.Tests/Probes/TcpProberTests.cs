using System.Net;
using System.Net.Sockets;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

/// <summary>The TCP prober against real listeners and firewall rules, from the client namespace to the server's.</summary>
public sealed class TcpProberTests(ProbeLab lab) : IClassFixture<ProbeLab>
{
    [Theory]
    [InlineData(8080, true, ProbeFailureReason.None)]
    [InlineData(8081, false, ProbeFailureReason.Refused)]
    [InlineData(9002, false, ProbeFailureReason.Refused)]
    [InlineData(9003, false, ProbeFailureReason.Unreachable)]
    [InlineData(9005, false, ProbeFailureReason.Unreachable)]
    public async Task The_reason_tells_what_answered(int port, bool success, ProbeFailureReason reason)
    {
        var result = await lab.ClientTcp().ProbeAsync("internal", new IPEndPoint(ProbeLab.ServerLan, port), ProbeLab.In(2), CancellationToken.None);

        Assert.Equal((success, reason), (result.Success, result.Reason));
        Assert.Equal($"10.3.0.1:{port}", result.Address);
        Assert.Equal("internal", result.Vantage);
        Assert.True(result.Duration < TimeSpan.FromSeconds(2), $"answered in {result.Duration}, past the 2 s deadline it was given");
    }

    [Fact]
    public async Task A_reject_with_tcp_reset_is_refused_as_linux_reports_a_reset_to_a_syn()
    {
        // The kernel turns a RST answering a SYN into ECONNREFUSED: from a connect, tcp-reset and a closed port look the same.
        var result = await lab.ClientTcp().ProbeAsync("internal", new IPEndPoint(ProbeLab.ServerLan, 9004), ProbeLab.In(2), CancellationToken.None);

        Assert.Equal(ProbeFailureReason.Refused, result.Reason);
    }

    [Fact]
    public async Task A_drop_is_a_timeout_at_the_deadline()
    {
        var result = await lab.ClientTcp().ProbeAsync("internal", new IPEndPoint(ProbeLab.ServerLan, 9001), ProbeLab.In(0.5), CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal(ProbeFailureReason.Timeout, result.Reason);
        // Ends at the 0.5 s deadline, far from the kernel's own SYN retries (over a minute); the upper bound leaves
        // room for a loaded test machine.
        Assert.InRange(result.Duration.TotalSeconds, 0.4, 2.0);
    }

    [Fact]
    public async Task No_route_is_unreachable()
    {
        var result = await lab.ClientTcp().ProbeAsync("external", new IPEndPoint(IPAddress.Parse("10.99.99.99"), 80), ProbeLab.In(2), CancellationToken.None);

        Assert.Equal(ProbeFailureReason.Unreachable, result.Reason);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_dns()
    {
        var result = await lab.ClientTcp().ProbeAsync("external", "web.example.invalid", 80, ProbeLab.In(2), CancellationToken.None);

        Assert.Equal((false, ProbeFailureReason.Dns, "web.example.invalid:80"), (result.Success, result.Reason, result.Address));
    }

    [Fact]
    public async Task A_resolver_that_hangs_is_dns_at_the_deadline()
    {
        var prober = lab.ClientTcp((_, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => Array.Empty<IPAddress>(), TaskScheduler.Default));

        var deadline = ProbeLab.In(0.3);
        var result = await prober.ProbeAsync("external", "slow.example", 80, deadline, CancellationToken.None);

        // The resolver never answers: only the deadline ends the probe, so it ends, and not before the deadline
        // (a timer may fire a few milliseconds early).
        Assert.Equal(ProbeFailureReason.Dns, result.Reason);
        Assert.True(DateTimeOffset.UtcNow >= deadline - TimeSpan.FromMilliseconds(20), "the probe gave up before its deadline");
    }

    [Fact]
    public async Task A_name_is_resolved_and_keeps_its_name_as_address_label()
    {
        var prober = lab.ClientTcp((_, _) => Task.FromResult(new[] { ProbeLab.ServerLan }));
        var steps = new ProbeStepLog(TimeProvider.System);

        var result = await prober.ProbeAsync("external", "web.example", 8080, ProbeLab.In(2), CancellationToken.None, steps);

        Assert.Equal((true, "web.example:8080"), (result.Success, result.Address));
        Assert.Contains(steps.Lines, l => l.Contains("resolved web.example to 10.3.0.1", StringComparison.Ordinal));
        Assert.Contains(steps.Lines, l => l.Contains("10.3.0.1:8080: connected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_a_timeout()
    {
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            lab.ClientTcp().ProbeAsync("internal", new IPEndPoint(ProbeLab.ServerLan, 9001), ProbeLab.In(5), cancelled.Token));
    }

    [Fact]
    public async Task A_socket_that_cannot_be_made_is_an_error()
    {
        var network = new ProbeNetwork(
            (_, _, _) => throw new SocketException((int)SocketError.AddressFamilyNotSupported),
            (_, _) => Task.FromResult(Array.Empty<IPAddress>()),
            () => []);

        var result = await new TcpProber(network, TimeProvider.System).ProbeAsync("loopback", new IPEndPoint(IPAddress.IPv6Loopback, 80), ProbeLab.In(1), CancellationToken.None);

        Assert.Equal((false, ProbeFailureReason.Error, "[::1]:80"), (result.Success, result.Reason, result.Address));
    }

    [Fact]
    public async Task IPv6_loopback_is_probed_with_an_IPv6_socket()
    {
        // The server's socat listeners are IPv4 only: ::1 is refused while 127.0.0.1 connects.
        var prober = new TcpProber(lab.ServerThread.Network(), TimeProvider.System);

        var v6 = await prober.ProbeAsync("loopback", new IPEndPoint(IPAddress.IPv6Loopback, 8080), ProbeLab.In(2), CancellationToken.None);
        var v4 = await prober.ProbeAsync("loopback", new IPEndPoint(IPAddress.Loopback, 8080), ProbeLab.In(2), CancellationToken.None);

        Assert.Equal((false, ProbeFailureReason.Refused, "[::1]:8080"), (v6.Success, v6.Reason, v6.Address));
        Assert.Equal((true, "127.0.0.1:8080"), (v4.Success, v4.Address));
    }
}
