using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Privileges;

/// <summary>
/// What it takes to run the exporter as <c>nobody</c>: a copy of the exporter's files in a folder every user can
/// read and traverse (the build output may sit under a private home), and the <c>setpriv</c> prefixes that drop to
/// nobody with a chosen set of ambient capabilities (capability names as <c>setpriv</c> and capabilities(7) spell
/// them, without <c>cap_</c>).
/// </summary>
public sealed class NonRootExporter : IDisposable
{
    /// <summary>What the issue asks for: reading other users' fds (and their links) and the firewall ruleset.</summary>
    public static readonly string[] FullCapabilities = ["dac_read_search", "sys_ptrace", "net_admin"];

    /// <summary>What the shipped systemd unit and Kubernetes manifests grant (no CAP_SYS_PTRACE).</summary>
    public static readonly string[] ShippedCapabilities = ["dac_read_search", "net_admin"];

    private readonly TempDir _dir = new();

    public NonRootExporter()
    {
        var command = ExporterBinary.Command();
        var program = command.Length == 1 ? command[0] : command[1];
        foreach (var file in Directory.EnumerateFiles(Path.GetDirectoryName(program)!))
        {
            System.IO.File.Copy(file, Path.Combine(_dir.Path, Path.GetFileName(file)));
        }

        UnixModes.OpenTree(_dir.Path);
        Command = command.Length == 1
            ? [Path.Combine(_dir.Path, Path.GetFileName(program))]
            : [command[0], Path.Combine(_dir.Path, Path.GetFileName(program))];
    }

    /// <summary>The copied exporter, as <see cref="RunningExporter"/> takes it.</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary>A world-readable file in the copy's folder (a config the exporter can read as nobody).</summary>
    public string File(string name, string content)
    {
        var path = _dir.File(name, content);
        UnixModes.Set(path, "644");
        return path;
    }

    /// <summary><c>setpriv</c> as nobody:nogroup keeping exactly <paramref name="capabilities"/> (none: an empty set).</summary>
    public static string[] AsNobody(params string[] capabilities)
    {
        string[] user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"];
        if (capabilities.Length == 0)
        {
            return [.. user, "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"];
        }

        var list = string.Join(',', capabilities.Select(c => "+" + c));
        return [.. user, $"--inh-caps={list}", $"--ambient-caps={list}"];
    }

    /// <summary>The effective capability mask (CapEff of /proc/PID/status) the capabilities give; bit numbers from capabilities(7).</summary>
    public static ulong Mask(params string[] capabilities) => capabilities.Aggregate(0UL, (mask, c) => mask | (1UL << c switch
    {
        "dac_read_search" => 2,
        "net_admin" => 12,
        "sys_ptrace" => 19,
        _ => throw new ArgumentOutOfRangeException(nameof(capabilities), c, "not a capability these tests use"),
    }));

    public void Dispose() => _dir.Dispose();
}
