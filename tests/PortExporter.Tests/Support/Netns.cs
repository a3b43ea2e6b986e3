using System.Diagnostics;

namespace PortExporter.Tests.Support;

/// <summary>
/// A network namespace made by a test and deleted (with every process started in it) on dispose.
/// Names are unique per instance, so test classes may run in parallel. Loopback is brought up.
/// </summary>
public sealed class Netns : IDisposable
{
    private readonly List<Process> _processes = [];

    public Netns(string prefix)
    {
        Shell.RequireRoot();
        Name = $"pe-{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        Shell.Run("ip", "netns", "add", Name);
        Exec("ip", "link", "set", "lo", "up");
    }

    public string Name { get; }

    /// <summary>Runs a command inside the namespace; throws when it fails.</summary>
    public Shell.Result Exec(params string[] args) => Shell.Run("ip", ["netns", "exec", Name, .. args]);

    /// <summary>Runs a command inside the namespace and returns its result, success or not.</summary>
    public Shell.Result ExecAllowFailure(params string[] args) => Shell.RunAllowFailure("ip", ["netns", "exec", Name, .. args]);

    /// <summary>
    /// Dials <paramref name="address"/>:<paramref name="port"/> over TCP/IPv4 from this namespace, as a client would,
    /// and asserts the handshake times out (the SYN dropped), not refused and not connected.
    /// </summary>
    /// <param name="address">The address dialled.</param>
    /// <param name="port">The port dialled.</param>
    /// <param name="from">The client's source address (one of this namespace's); null: the kernel's choice.</param>
    public void AssertConnectTimesOut(string address, int port, string? from = null)
    {
        var bind = from is null ? string.Empty : $",bind={from}";
        var dialled = ExecAllowFailure("socat", "-u", $"TCP4:{address}:{port},connect-timeout=2{bind}", "-");
        Assert.NotEqual(0, dialled.ExitCode);
        Assert.Contains("timed out", dialled.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Starts a long-running process in the namespace (killed on dispose).</summary>
    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in (string[])["netns", "exec", Name, .. args])
        {
            info.ArgumentList.Add(a);
        }

        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lock (_processes)
        {
            _processes.Add(p);
        }

        return p;
    }

    /// <summary>Connects this namespace to <paramref name="other"/> with a veth pair and addresses (CIDR form).</summary>
    public void Link(string ifName, string cidr, Netns other, string otherIfName, string otherCidr)
    {
        var a = $"v{Guid.NewGuid().ToString("N")[..8]}";
        var b = $"v{Guid.NewGuid().ToString("N")[..8]}";
        Shell.Run("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        Shell.Run("ip", "link", "set", a, "netns", Name);
        Shell.Run("ip", "link", "set", b, "netns", other.Name);
        Exec("ip", "link", "set", a, "name", ifName);
        other.Exec("ip", "link", "set", b, "name", otherIfName);
        Exec("ip", "addr", "add", cidr, "dev", ifName);
        other.Exec("ip", "addr", "add", otherCidr, "dev", otherIfName);
        Exec("ip", "link", "set", ifName, "up");
        other.Exec("ip", "link", "set", otherIfName, "up");
    }

    /// <summary>Adds an IPv6 address (CIDR form) to <paramref name="ifName"/>, usable at once (no duplicate address detection).</summary>
    public void AddIPv6(string ifName, string cidr) => Exec("ip", "-6", "addr", "add", cidr, "dev", ifName, "nodad");

    /// <summary>
    /// Waits until something listens on <paramref name="port"/> (ss inside the namespace): a program's start, which a
    /// busy machine delays, so bounded only against a hang (<see cref="Reliability.RunningExporter.EventBound"/>).
    /// </summary>
    public void WaitForListener(int port, bool udp = false)
    {
        var timeout = Reliability.RunningExporter.EventBound;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            var r = ExecAllowFailure("ss", udp ? "-uanH" : "-tlnH", $"sport = :{port}");
            if (r.ExitCode == 0 && r.Stdout.Trim().Length > 0)
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"nothing listened on {port} in {Name} within {timeout.TotalSeconds} s");
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var p in _processes)
            {
                try
                {
                    if (!p.HasExited)
                    {
                        p.Kill(entireProcessTree: true);
                        p.WaitForExit(2000);
                    }
                }
                catch (InvalidOperationException)
                {
                }

                p.Dispose();
            }
        }

        // Any process still in the namespace (started by a test through other means) goes too.
        var pids = Shell.RunAllowFailure("ip", "netns", "pids", Name).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var pid in pids)
        {
            Shell.RunAllowFailure("kill", "-9", pid.Trim());
        }

        Shell.RunAllowFailure("ip", "netns", "del", Name);
    }
}
