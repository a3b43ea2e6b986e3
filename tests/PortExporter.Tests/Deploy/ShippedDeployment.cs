using System.Globalization;
using System.Text.RegularExpressions;
using static PortExporter.Tests.Deploy.YamlPath;

namespace PortExporter.Tests.Deploy;

/// <summary>How a shipped deployment starts the exporter's process.</summary>
public enum Launcher
{
    /// <summary>
    /// A container runtime (runc, as containerd and Docker 24.0.6+ drive it) starting a non-root container: bounding set
    /// = the granted capabilities; set-uid with keep-caps; permitted and effective = the granted capabilities,
    /// inheritable and ambient empty; no_new_privs when asked; then execve. Only file capabilities carry anything over
    /// the execve of a non-root process.
    /// </summary>
    ContainerRuntime,

    /// <summary>
    /// systemd: bounding set = <c>CapabilityBoundingSet=</c>, inheritable and ambient = <c>AmbientCapabilities=</c>,
    /// no_new_privs with <c>NoNewPrivileges=yes</c>, then execve as <c>User=</c>.
    /// </summary>
    Systemd,
}

/// <summary>
/// One shipped way of running the exporter, read from the file that ships it (never restated here): who it runs as,
/// which capabilities it grants (capabilities(7) names, lower case, without <c>cap_</c>) and whether no_new_privs is set.
/// The image's user has no fixed uid (<c>useradd --system</c>); a deployment that does not set one runs as 65534 here.
/// </summary>
public sealed partial record ShippedDeployment(string Name, Launcher Launcher, int Uid, int Gid, IReadOnlyList<string> Capabilities, bool NoNewPrivileges)
{
    private const int UnsetUid = 65534;

    public static IReadOnlyList<ShippedDeployment> All => [DaemonSet(), DockerRun(), SystemdUnit()];

    public static ShippedDeployment Named(string name) => All.Single(d => d.Name == name);

    /// <summary>deploy/kubernetes/daemonset.yaml: the container's securityContext (the pod's for what it leaves out).</summary>
    public static ShippedDeployment DaemonSet()
    {
        var manifest = Assert.Single(Documents(File.ReadAllText(RepositoryFiles.PathOf("deploy/kubernetes/daemonset.yaml"))));
        var pod = At(manifest, "spec.template.spec");
        var container = At(pod, "containers[0].securityContext");
        Assert.Equal(["ALL"], Strings(container, "capabilities.drop")); // else the runtime's default set would be granted too
        var uid = TryAt(container, "runAsUser") ?? TryAt(pod, "securityContext.runAsUser");
        var gid = TryAt(container, "runAsGroup") ?? TryAt(pod, "securityContext.runAsGroup");
        return new(
            "daemonset",
            Launcher.ContainerRuntime,
            uid is null ? UnsetUid : Number(uid),
            gid is null ? UnsetUid : Number(gid),
            [.. Strings(container, "capabilities.add").Select(c => c.ToLowerInvariant())],
            Scalar(container, "allowPrivilegeEscalation") == "false");
    }

    /// <summary>The <c>docker run</c> command of deploy/README.md.</summary>
    public static ShippedDeployment DockerRun()
    {
        var readme = File.ReadAllText(RepositoryFiles.PathOf("deploy/README.md"));
        var command = DockerRunCommand().Match(readme);
        Assert.True(command.Success, "no docker run command in deploy/README.md");
        var words = command.Value.Replace("\\\n", " ", StringComparison.Ordinal).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("--cap-drop=ALL", words);
        var user = words.FirstOrDefault(w => w.StartsWith("--user=", StringComparison.Ordinal))?["--user=".Length..].Split(':');
        return new(
            "docker-run",
            Launcher.ContainerRuntime,
            user is null ? UnsetUid : int.Parse(user[0], CultureInfo.InvariantCulture),
            user is [_, var g] ? int.Parse(g, CultureInfo.InvariantCulture) : UnsetUid,
            [.. words.Where(w => w.StartsWith("--cap-add=", StringComparison.Ordinal)).Select(w => w["--cap-add=".Length..].ToLowerInvariant())],
            words.Contains("--security-opt=no-new-privileges"));
    }

    /// <summary>deploy/systemd/port-exporter.service.</summary>
    public static ShippedDeployment SystemdUnit()
    {
        var unit = Deploy.SystemdUnit.Parse(File.ReadAllText(RepositoryFiles.PathOf("deploy/systemd/port-exporter.service")));
        var ambient = Names(unit.Value("Service", "AmbientCapabilities"));
        Assert.Equal(Names(unit.Value("Service", "CapabilityBoundingSet")), ambient);
        Assert.NotEqual("root", unit.Value("Service", "User"));
        return new("systemd", Launcher.Systemd, UnsetUid, UnsetUid, ambient, unit.Value("Service", "NoNewPrivileges") == "yes");
    }

    public override string ToString() => Name;

    private static int Number(YamlDotNet.RepresentationModel.YamlNode node) =>
        int.Parse(Assert.IsType<YamlDotNet.RepresentationModel.YamlScalarNode>(node).Value!, CultureInfo.InvariantCulture);

    private static string[] Names(string list) =>
        [.. list.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => c.ToLowerInvariant().Replace("cap_", string.Empty, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"docker run (?:[^\n]*\\\n)*[^\n]*")]
    private static partial Regex DockerRunCommand();
}
