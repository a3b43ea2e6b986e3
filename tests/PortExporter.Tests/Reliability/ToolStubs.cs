using System.Globalization;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Reliability;

/// <summary>How a stub tool misbehaves.</summary>
public enum ToolFault
{
    /// <summary>Not on PATH at all.</summary>
    Missing,

    /// <summary>Never answers: a bash script that runs <c>sleep</c> (a child, so killing only the script would leave it).</summary>
    Hanging,

    /// <summary>Exits 0 after printing binary and text junk.</summary>
    Garbage,

    /// <summary>Exits 0 after printing 100 MB of lines.</summary>
    Huge,
}

/// <summary>
/// A directory of stub programs that is the exporter's whole PATH, so every tool the exporter looks up is either a
/// stub written here or missing. Stubs are bash scripts calling coreutils by absolute path. A hanging stub sleeps
/// for a duration unique to this directory, so its leftovers can be found in /proc.
/// </summary>
public sealed class ToolStubs : IDisposable
{
    private readonly TempDir _dir = new();

    public ToolStubs()
    {
        UnixModes.Set(_dir.Path, "755");
        Marker = "3600." + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The PATH value: this directory only.</summary>
    public string Path => _dir.Path;

    /// <summary>The argument of this directory's hanging <c>sleep</c>.</summary>
    public string Marker { get; }

    /// <summary>Writes <paramref name="tool"/> misbehaving as <paramref name="fault"/> (nothing for <see cref="ToolFault.Missing"/>).</summary>
    public ToolStubs With(string tool, ToolFault fault) => fault switch
    {
        ToolFault.Missing => this,
        ToolFault.Hanging => Script(tool, $"/usr/bin/sleep {Marker}\necho never"),
        ToolFault.Garbage => Script(tool, "printf '%s\\n' '{\"nftables\": [{' 'ActiveState' '<html>' '\\x00\\xff'\n/usr/bin/head -c 4096 /dev/urandom"),
        ToolFault.Huge => Script(tool, "/usr/bin/yes 'garbage garbage garbage garbage garbage garbage garbage garbage' | /usr/bin/head -c 100000000"),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    /// <summary>
    /// An exporter in <paramref name="ns"/> whose collections wait on a hanging <c>systemctl</c> (a web.service unit)
    /// until their deadline, each scrape collecting afresh: a collection as slow as the scrape allows.
    /// </summary>
    public static RunningExporter ExporterWithHangingSystemctl(Netns ns, TempDir dir, ToolStubs stubs)
    {
        stubs.With("systemctl", ToolFault.Hanging);
        var config = dir.File("config.yml", """
            web:
              min_collection_interval: 1ms  # every scrape collects afresh
            ports:
              - name: web
                port: 8080
                unit: web.service
            """);
        return new RunningExporter(ns, ["--config.file", config], path: stubs.Path);
    }

    /// <summary>Writes <paramref name="tool"/> as a script that prints <paramref name="output"/> and exits 0.</summary>
    public ToolStubs Printing(string tool, string output)
    {
        var file = _dir.File(tool + ".out", output);
        return Script(tool, $"/usr/bin/cat '{file}'");
    }

    /// <summary>Processes (pids) still running this directory's stubs or their hanging sleep.</summary>
    public IReadOnlyList<int> Leftovers()
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string cmdline;
            try
            {
                cmdline = File.ReadAllText(System.IO.Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // The exporter names this directory too (--path.commands), but is no stub.
            if (cmdline.Contains(Marker, StringComparison.Ordinal)
                || (cmdline.Contains(_dir.Path, StringComparison.Ordinal) && !cmdline.Contains("--path.commands", StringComparison.Ordinal)))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every stub process to be gone; returns those left.</summary>
    public IReadOnlyList<int> LeftoversAfter(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = Leftovers();
            if (left.Count == 0 || DateTime.UtcNow >= until)
            {
                return left;
            }

            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        foreach (var pid in Leftovers())
        {
            Shell.RunAllowFailure("kill", "-9", pid.ToString(CultureInfo.InvariantCulture));
        }

        _dir.Dispose();
    }

    private ToolStubs Script(string tool, string body)
    {
        var file = _dir.File(tool, $"#!/bin/bash\n{body}\n");
        UnixModes.Set(file, "755");
        return this;
    }
}
