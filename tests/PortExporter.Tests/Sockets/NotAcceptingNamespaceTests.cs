using System.Diagnostics;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Sockets;

/// <summary>
/// A hung service, for real: socat listens with a backlog of 1 and is stopped (SIGSTOP), clients fill its accept
/// queue, and the next client times out while <c>ss</c> still shows the port listening. The exporter (the built binary,
/// <c>diagnose</c> in the namespace) names the full queue and the stopped process, not "cannot decide"; once the
/// process runs again (SIGCONT) it takes the queued connections and the port is ok.
/// </summary>
public sealed class NotAcceptingNamespaceTests
{
    [Fact]
    public void A_stopped_service_whose_accept_queue_is_full_is_not_accepting_and_ok_once_it_runs_again()
    {
        using var server = new Netns("nasrv");
        using var client = new Netns("nacli");
        using var dir = new TempDir();
        server.Link("eth0", "10.76.0.1/24", client, "eth0", "10.76.0.2/24");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
        using var service = server.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork,backlog=1", "SYSTEM:echo web");
        server.WaitForListener(8080);
        var socat = SocatPid(server);
        Shell.Run("kill", "-STOP", socat);

        // Two handshakes fill a backlog of 1; the clients hold their connections open, waiting for an answer.
        var waiting = Enumerable.Range(0, 2).Select(_ => client.Start("socat", "-u", "TCP4:10.76.0.1:8080,connect-timeout=30", "-")).ToList();
        try
        {
            WaitUntil(() => server.Exec("ss", "-Htln", "sport = :8080").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, "2", "1", ..]);

            // The kernel's answer: the next handshake is dropped, the client times out.
            client.AssertConnectTimesOut("10.76.0.1", 8080);

            var hung = ExporterBinary.Diagnose(server, config, "web");
            Assert.Equal("not_accepting", hung.GetProperty("cause").GetString());
            var summary = hung.GetProperty("summary").GetString();
            Assert.Contains("listens but takes no connections", summary, StringComparison.Ordinal);
            Assert.Contains("2 waiting to be accepted, backlog 1 (full)", summary, StringComparison.Ordinal);
            Assert.StartsWith($"socat (pid {socat}) is not accepting", hung.GetProperty("fix").GetString(), StringComparison.Ordinal);

            Shell.Run("kill", "-CONT", socat);
            foreach (var queued in waiting)
            {
                Assert.True(queued.WaitForExit(30_000), "a queued client was not answered once the service ran again");
            }

            Assert.Equal("ok", ExporterBinary.Diagnose(server, config, "web").GetProperty("cause").GetString());
        }
        finally
        {
            Shell.RunAllowFailure("kill", "-CONT", socat);
            waiting.ForEach(p => { p.Kill(); p.Dispose(); });
        }
    }

    [Fact]
    public void One_stopped_listener_of_a_reuseport_pair_is_not_accepting_though_the_other_serves()
    {
        // Two workers share 8080 with SO_REUSEPORT; one is stopped. The kernel hashes each client to one of them: those
        // sent to the stopped one fill its queue and time out, the others are served, and so may the local probes be.
        using var server = new Netns("narp");
        using var client = new Netns("narpcli");
        using var dir = new TempDir();
        server.Link("eth0", "10.76.1.1/24", client, "eth0", "10.76.1.2/24");
        var config = dir.File("config.yml", "ports:\n  - name: web\n    port: 8080\n");
        using var first = server.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,reuseport,fork,backlog=2", "SYSTEM:echo web");
        server.WaitForListener(8080);
        using var second = server.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,reuseport,fork,backlog=2", "SYSTEM:echo web");
        WaitUntil(() => Queues(server).Count == 2, "the second worker did not listen");
        var stopped = SocatPid(server);
        Shell.Run("kill", "-STOP", stopped);

        var waiting = Enumerable.Range(0, 40).Select(_ => client.Start("socat", "-u", "TCP4:10.76.1.1:8080,connect-timeout=30", "-")).ToList();
        try
        {
            WaitUntil(() => Queues(server) is [var a, var b] && (a.Waiting > a.Backlog) != (b.Waiting > b.Backlog), "the stopped worker's accept queue did not fill");
            // The other still serves: of 20 clients, hashed by their source ports, some reach it (all missing it: 1 in 2^20).
            Assert.Contains(Enumerable.Range(0, 20), _ => client.ExecAllowFailure("socat", "-T", "5", "-", "TCP4:10.76.1.1:8080,connect-timeout=1").Stdout.Trim() == "web");

            var partial = ExporterBinary.Diagnose(server, config, "web");
            Assert.Equal("not_accepting", partial.GetProperty("cause").GetString());
            var summary = partial.GetProperty("summary").GetString();
            Assert.Contains("listens but part of it takes no connections", summary, StringComparison.Ordinal);
            Assert.Contains("one of 2 listeners on that address and port (SO_REUSEPORT)", summary, StringComparison.Ordinal);
            Assert.StartsWith($"socat (pid {stopped}) is not accepting", partial.GetProperty("fix").GetString(), StringComparison.Ordinal);

            waiting.ForEach(p => p.Kill());
            Shell.Run("kill", "-CONT", stopped);
            WaitUntil(() => Queues(server).TrueForAll(q => q.Waiting == 0), "the queued connections were not taken");
            Assert.Equal("ok", ExporterBinary.Diagnose(server, config, "web").GetProperty("cause").GetString());
        }
        finally
        {
            Shell.RunAllowFailure("kill", "-CONT", stopped);
            waiting.ForEach(p => { p.Kill(); p.Dispose(); });
        }
    }

    /// <summary>Each 8080 listener's accept queue as <c>ss</c> shows it: waiting connections (Recv-Q) and backlog (Send-Q).</summary>
    private static List<(int Waiting, int Backlog)> Queues(Netns ns) =>
        [.. ns.Exec("ss", "-Htln", "sport = :8080").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture)))];

    /// <summary>The listening socat's pid (the one <c>ss -p</c> names), not the <c>ip netns exec</c> wrapper's.</summary>
    private static string SocatPid(Netns ns)
    {
        var line = ns.Exec("ss", "-Htlnp", "sport = :8080").Stdout;
        var at = line.IndexOf("pid=", StringComparison.Ordinal) + 4;
        return line[at..line.IndexOf(',', at)];
    }

    private static void WaitUntil(Func<bool> condition, string what = "the accept queue did not fill")
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{what} in 30 s");
            Thread.Sleep(50);
        }
    }
}
