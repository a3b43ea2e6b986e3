using System.Globalization;
using PortExporter.Core.Collection;
using PortExporter.Tests.Deploy;
using PortExporter.Tests.Reliability;
using PortExporter.Tests.Support;
using Xunit.Abstractions;
using static PortExporter.Tests.EndToEnd.MetricsText;

namespace PortExporter.Tests.Privileges;

/// <summary>
/// The deployments, proven rather than described: the exporter binary with the file capabilities the Dockerfile gives
/// it (read from the Dockerfile) is started the way each shipped deployment starts it (read from the DaemonSet, the
/// README's <c>docker run</c> and the systemd unit), as a non-root user, with their bounding set and no_new_privs,
/// next to an nftables ruleset in a namespace made here. It must start, serve /metrics, hold exactly what the
/// deployment grants on every thread, read the ruleset through its children, and say at start what it has.
/// <para>
/// The binary is the framework-dependent apphost of this build (or <c>$PORT_EXPORTER_BIN</c>, e.g. the NativeAOT
/// publish the image ships): the AOT link needs clang and minutes of two cores per build, while the kernel's rules for
/// file capabilities, bounding set and no_new_privs apply to any ELF executable the same way, which is what is tested.
/// </para>
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ShippedDeploymentTests : IDisposable
{
    /// <summary>
    /// CoreCLR's own threads, started before Main (capabilities are per thread, and Main can raise only its own and,
    /// through a finalizer, the finalizer thread's): they run the JIT, diagnostics and the PAL, never the exporter's
    /// code. The NativeAOT binary has none of them.
    /// </summary>
    private static readonly string[] RuntimeServiceThreads = [".NET SynchManag", ".NET EventPipe", ".NET DebugPipe", ".NET Debugger", ".NET Tiered Com"];

    private readonly ITestOutputHelper _output;
    private readonly Netns _ns = new("deploy");
    private readonly NonRootExporter _copy = new();
    private readonly string _binary;
    private readonly string _config;

    public ShippedDeploymentTests(ITestOutputHelper output)
    {
        _output = output;
        _ns.Exec("nft", "add table inet guard");
        _ns.Exec("nft", "add chain inet guard input { type filter hook input priority 0; policy accept; }");
        _ns.Exec("nft", "add rule inet guard input tcp dport 8080 drop");
        _ns.Start("socat", "TCP-LISTEN:8080,bind=0.0.0.0,reuseaddr,fork", "SYSTEM:echo hi");
        _ns.WaitForListener(8080);
        _binary = _copy.Command.Count == 1 ? _copy.Command[0] : Path.Combine(Path.GetDirectoryName(_copy.Command[1])!, "port-exporter");
        _config = _copy.File("config.yml", """
            ports:
              - name: web
                port: 8080
            """);
    }

    [Theory]
    [InlineData("daemonset")]
    [InlineData("docker-run")]
    public async Task The_image_binary_starts_under_the_shipped_deployment_and_uses_what_it_grants(string name)
    {
        var deployment = ShippedDeployment.Named(name);
        var fileCapabilities = FileCapabilities.Parse(ImageFile.ExporterCapabilities());
        Shell.Run("setcap", ImageFile.ExporterCapabilities(), _binary);

        await AssertRunsAsync(deployment, [.. fileCapabilities.Intersect(deployment.Capabilities)], fileCapabilities);
    }

    /// <summary>
    /// The unit runs the binary as deploy/README.md installs it (<c>install -m 0755</c>, which keeps no file
    /// capabilities): systemd's ambient capabilities make them effective on every thread, and the unit's system call
    /// filter (<c>~@privileged</c>, which holds capset) is never in the way.
    /// </summary>
    [Fact]
    public async Task The_systemd_unit_gives_the_installed_binary_its_capabilities()
    {
        var deployment = ShippedDeployment.SystemdUnit();
        Shell.RunAllowFailure("setcap", "-r", _binary);

        await AssertRunsAsync(deployment, deployment.Capabilities, deployment.Capabilities);
    }

    public void Dispose()
    {
        _copy.Dispose();
        _ns.Dispose();
    }

    private async Task AssertRunsAsync(ShippedDeployment deployment, IReadOnlyList<string> granted, IReadOnlyList<string> usable)
    {
        using var exporter = Start(deployment);
        var firewall = granted.Contains("net_admin") ? 1 : 0;
        Exposition.AssertComplete((await DeadlineScrapes.ScrapeAsync(exporter, 1, _output))[0]);

        // The first read of the ruleset runs beside the first scrapes and may end after their deadlines on a busy
        // machine: the firewall's success is read once that read has had its time (never, without the capability).
        var body = (await exporter.ReadUntilAsync(b => Exposition.Success(b, CollectorNames.Firewall) == firewall, $"firewall collector success {firewall}")).Body;

        Assert.StartsWith(deployment.Uid.ToString(CultureInfo.InvariantCulture), exporter.StatusText("Uid"), StringComparison.Ordinal);
        var mask = NonRootExporter.Mask([.. granted]);
        foreach (var thread in Directory.GetDirectories($"/proc/{exporter.Pid}/task"))
        {
            var status = File.ReadAllLines(Path.Combine(thread, "status"));
            var name = File.ReadAllText(Path.Combine(thread, "comm")).Trim();
            Assert.Equal(mask, Field(status, "CapPrm"));
            if (!RuntimeServiceThreads.Contains(name))
            {
                Assert.True(mask == Field(status, "CapEff"), $"thread {name} has CapEff {Field(status, "CapEff"):x}, expected {mask:x}");
            }
        }

        Exposition.AssertComplete(body);
        Assert.Equal(firewall, Exposition.Success(body, CollectorNames.Firewall));
        Exposition.AssertOthersSucceeded(body, firewall == 1 ? [] : [CollectorNames.Firewall]);

        foreach (var capability in granted)
        {
            Assert.Contains(exporter.Log, l => l.Contains("capabilities", StringComparison.Ordinal) && l.Contains("cap_" + capability, StringComparison.Ordinal));
        }

        foreach (var capability in usable.Except(granted))
        {
            Assert.Contains(exporter.Log, l => l.Contains("level=warn", StringComparison.Ordinal) && l.Contains("without cap_" + capability, StringComparison.Ordinal));
        }
    }

    /// <summary>Starts the binary as <paramref name="deployment"/> starts it.</summary>
    private RunningExporter Start(ShippedDeployment deployment)
    {
        _output.WriteLine($"{deployment.Name}: uid {deployment.Uid}, capabilities [{string.Join(',', deployment.Capabilities)}], no_new_privs {deployment.NoNewPrivileges}, file capabilities '{Shell.Run("getcap", _binary).Stdout.Trim()}'");
        string[] args = ["--config.file", _config];
        return deployment.Launcher switch
        {
            Launcher.ContainerRuntime => new RunningExporter(_ns, args, prefix: ContainerRuntime(deployment, _binary), command: []),
            _ => new RunningExporter(_ns, args, prefix: Systemd(deployment), command: [_binary]),
        };
    }

    /// <summary>
    /// What runc does for a non-root container, in its order: drop every capability not granted from the bounding set,
    /// set-uid keeping capabilities, then permitted = effective = granted (inheritable and ambient empty), no_new_privs,
    /// execve.
    /// </summary>
    private static string[] ContainerRuntime(ShippedDeployment deployment, string binary)
    {
        var last = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), CultureInfo.InvariantCulture);
        var keep = deployment.Capabilities.Select(FileCapabilities.Number).ToHashSet();
        var drop = string.Join(',', Enumerable.Range(0, last + 1).Where(n => !keep.Contains(n)));
        var caps = deployment.Capabilities.Count == 0 ? "=" : string.Join(',', deployment.Capabilities.Select(c => "cap_" + c)) + "=ep";
        var gid = deployment.Gid.ToString(CultureInfo.InvariantCulture);
        return
        [
            "capsh", $"--drop={drop}", "--keep=1", $"--groups={gid}", $"--gid={gid}", $"--uid={deployment.Uid}", "--keep=0", $"--caps={caps}",
            .. deployment.NoNewPrivileges ? (string[])["--no-new-privs"] : [],
            $"--shell={binary}", "--",
        ];
    }

    /// <summary>What systemd does for the unit: bounding set, user, inheritable and ambient capabilities, no_new_privs.</summary>
    private static string[] Systemd(ShippedDeployment deployment)
    {
        var list = string.Concat(deployment.Capabilities.Select(c => ",+" + c));
        return
        [
            "setpriv", $"--reuid={deployment.Uid}", $"--regid={deployment.Gid}", "--clear-groups",
            $"--bounding-set=-all{list}", $"--inh-caps=-all{list}", $"--ambient-caps=-all{list}",
            .. deployment.NoNewPrivileges ? (string[])["--no-new-privs"] : [],
        ];
    }

    private static ulong Field(string[] status, string name) =>
        ulong.Parse(status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
