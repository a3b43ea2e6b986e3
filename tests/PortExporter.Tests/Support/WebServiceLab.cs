using System.Diagnostics;

namespace PortExporter.Tests.Support;

/// <summary>
/// A namespace with an outside link (10.NET.0.1/24, peer .254) and a default route, a web service on 8080 under a
/// process name of its own (a copy of socat: the process table is shared with every other socat on the machine)
/// and a config that watches it and collects afresh at every scrape.
/// </summary>
public class WebServiceLab : IDisposable
{
    private readonly Netns _peer;
    private readonly string _binary;

    public WebServiceLab(string prefix, int net, string processName)
    {
        Ns = new Netns(prefix);
        _peer = new Netns($"{prefix}peer");
        Dir = new TempDir();
        Ns.Link("eth0", $"10.{net}.0.1/24", _peer, "eth0", $"10.{net}.0.254/24");
        Ns.Exec("ip", "route", "add", "default", "via", $"10.{net}.0.254");

        _binary = Path.Combine(Dir.Path, processName);
        File.Copy("/usr/bin/socat", _binary);
        Web = StartWeb("0.0.0.0");
        Config = Dir.File("config.yml", """
            web:
              min_collection_interval: 1ms  # every scrape collects afresh: the test changes the host between scrapes
            ports:
              - name: web
                port: 8080
            """);
    }

    public Netns Ns { get; }

    /// <summary>The outside peer (10.NET.0.254), the namespace's default gateway.</summary>
    public Netns Peer => _peer;

    public TempDir Dir { get; }

    public string Config { get; }

    public Process Web { get; private set; }

    /// <summary>Starts the web service on <paramref name="address"/>:8080 and waits until it listens.</summary>
    public Process StartWeb(string address)
    {
        Web = Ns.Start(_binary, $"TCP-LISTEN:8080,bind={address},reuseaddr,fork", "SYSTEM:echo hello");
        Ns.WaitForListener(8080);
        return Web;
    }

    /// <summary>Kills the web service, waits until nothing listens on 8080, and starts it on <paramref name="address"/>.</summary>
    public void RestartWeb(string address)
    {
        Web.Kill(entireProcessTree: true);
        Web.WaitForExit();
        for (var i = 0; i < 100 && Ns.ExecAllowFailure("ss", "-tlnH", "sport = :8080").Stdout.Trim().Length > 0; i++)
        {
            Thread.Sleep(50);
        }

        Assert.Empty(Ns.ExecAllowFailure("ss", "-tlnH", "sport = :8080").Stdout.Trim());
        StartWeb(address);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Ns.Dispose();
            _peer.Dispose();
            Dir.Dispose();
        }
    }
}
