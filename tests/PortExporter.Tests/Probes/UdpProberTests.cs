using System.Net;
using PortExporter.Core.Probes;

namespace PortExporter.Tests.Probes;

/// <summary>The UDP prober against a real answering service, a closed port and firewall rules.</summary>
public sealed class UdpProberTests(ProbeLab lab) : IClassFixture<ProbeLab>
{
    [Theory]
    [InlineData(5353, true, ProbeFailureReason.None)]
    [InlineData(5354, false, ProbeFailureReason.Refused)]
    [InlineData(9003, false, ProbeFailureReason.Unreachable)]
    [InlineData(9005, false, ProbeFailureReason.Unreachable)]
    public async Task The_reason_tells_what_answered(int port, bool success, ProbeFailureReason reason)
    {
        var result = await lab.ClientUdp().ProbeAsync("internal", new IPEndPoint(ProbeLab.ServerLan, port), ProbeLab.In(2), CancellationToken.None);

        Assert.Equal((success, reason), (result.Success, result.Reason));
        Assert.True(result.Duration < TimeSpan.FromSeconds(2), $"answered in {result.Duration}, past the 2 s deadline it was given");
    }

    [Fact]
    public async Task Silence_is_no_answer_not_success_and_the_datagram_is_sent_twice()
    {
        var steps = new ProbeStepLog(TimeProvider.System);

        var result = await lab.ClientUdp().ProbeAsync("internal", new IPEndPoint(ProbeLab.ServerLan, 9001), ProbeLab.In(0.6), CancellationToken.None, steps);

        Assert.Equal((false, ProbeFailureReason.Timeout), (result.Success, result.Reason));
        Assert.InRange(result.Duration.TotalSeconds, 0.5, 1.1);
        Assert.Contains(steps.Lines, l => l.Contains("datagram sent again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_step_log_never_holds_what_the_service_sent()
    {
        var steps = new ProbeStepLog(TimeProvider.System);

        var result = await lab.ClientUdp().ProbeAsync("internal", new IPEndPoint(ProbeLab.ServerLan, 5353), ProbeLab.In(2), CancellationToken.None, steps);

        Assert.True(result.Success);
        Assert.DoesNotContain(steps.Lines, l => l.Contains("SECRET", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IPv6_loopback_reports_a_closed_port_as_refused_and_an_open_one_as_answered()
    {
        var prober = new UdpProber(lab.ServerThread.Network(), TimeProvider.System);

        var closed = await prober.ProbeAsync("loopback", new IPEndPoint(IPAddress.IPv6Loopback, 5353), ProbeLab.In(2), CancellationToken.None);
        var open = await prober.ProbeAsync("loopback", new IPEndPoint(IPAddress.Loopback, 5353), ProbeLab.In(2), CancellationToken.None);

        Assert.Equal((false, ProbeFailureReason.Refused, "[::1]:5353"), (closed.Success, closed.Reason, closed.Address));
        Assert.True(open.Success);
    }
}
