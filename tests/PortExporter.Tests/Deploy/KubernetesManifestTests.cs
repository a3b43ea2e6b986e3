using PortExporter.Core.Configuration;
using PortExporter.Tests.Support;
using YamlDotNet.RepresentationModel;
using static PortExporter.Tests.Deploy.YamlPath;

namespace PortExporter.Tests.Deploy;

public sealed class KubernetesManifestTests
{
    private static readonly string Dir = RepositoryFiles.PathOf("deploy/kubernetes");
    private static readonly int DefaultPort = int.Parse(ConfigDefaults.ListenAddress.TrimStart(':'), System.Globalization.CultureInfo.InvariantCulture);

    private static YamlMappingNode Manifest(string file) => Assert.Single(Documents(File.ReadAllText(Path.Combine(Dir, file))));

    private static YamlMappingNode DaemonSet => Manifest("daemonset.yaml");

    private static YamlNode Container => At(DaemonSet, "spec.template.spec.containers[0]");

    [Theory]
    [InlineData("namespace.yaml", "v1", "Namespace")]
    [InlineData("serviceaccount.yaml", "v1", "ServiceAccount")]
    [InlineData("daemonset.yaml", "apps/v1", "DaemonSet")]
    [InlineData("service.yaml", "v1", "Service")]
    [InlineData("servicemonitor.yaml", "monitoring.coreos.com/v1", "ServiceMonitor")]
    [InlineData("kustomization.yaml", "kustomize.config.k8s.io/v1beta1", "Kustomization")]
    public void Each_manifest_has_its_kind_and_api_version(string file, string apiVersion, string kind)
    {
        var manifest = Manifest(file);
        Assert.Equal(apiVersion, Scalar(manifest, "apiVersion"));
        Assert.Equal(kind, Scalar(manifest, "kind"));
    }

    [Fact]
    public void The_kustomization_lists_every_manifest_of_the_folder()
    {
        var listed = Strings(Manifest("kustomization.yaml"), "resources").Order(StringComparer.Ordinal);
        var present = Directory.GetFiles(Dir, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order(StringComparer.Ordinal);
        Assert.Equal(present, listed);
    }

    [Fact]
    public void Kustomize_builds_the_manifests_into_the_port_exporter_namespace()
    {
        var built = Documents(Shell.Run("kubectl", "kustomize", Dir).Stdout);
        Assert.Contains(built, d => Scalar(d, "kind") == "DaemonSet");
        foreach (var doc in built.Where(d => Scalar(d, "kind") != "Namespace"))
        {
            Assert.Equal("port-exporter", Scalar(doc, "metadata.namespace"));
        }
    }

    [Fact]
    public void The_daemon_set_sees_the_hosts_network_and_processes()
    {
        var pod = At(DaemonSet, "spec.template.spec");
        Assert.Equal("true", Scalar(pod, "hostNetwork"));
        Assert.Equal("true", Scalar(pod, "hostPID"));
        Assert.Equal("ClusterFirstWithHostNet", Scalar(pod, "dnsPolicy"));
        Assert.Equal("false", Scalar(pod, "automountServiceAccountToken"));
        Assert.Equal("Exists", Scalar(pod, "tolerations[0].operator"));
    }

    [Fact]
    public void The_daemon_set_runs_as_non_root_with_two_capabilities_on_a_read_only_root()
    {
        var pod = At(DaemonSet, "spec.template.spec.securityContext");
        Assert.Equal("true", Scalar(pod, "runAsNonRoot"));
        Assert.NotEqual("0", Scalar(pod, "runAsUser"));
        Assert.Equal("RuntimeDefault", Scalar(pod, "seccompProfile.type"));
        var container = At(Container, "securityContext");
        Assert.Equal("false", Scalar(container, "allowPrivilegeEscalation"));
        Assert.Equal("true", Scalar(container, "readOnlyRootFilesystem"));
        Assert.Null(TryAt(container, "privileged"));
        Assert.Equal(["ALL"], Strings(container, "capabilities.drop"));
        Assert.Equal(["DAC_READ_SEARCH", "NET_ADMIN"], Strings(container, "capabilities.add").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_host_path_is_mounted_read_only_where_the_path_flags_point()
    {
        var pod = At(DaemonSet, "spec.template.spec");
        var hostPaths = Items(pod, "volumes").Where(v => TryAt(v, "hostPath") is not null)
            .ToDictionary(v => Scalar(v, "name"), v => Scalar(v, "hostPath.path"));
        Assert.Equal(["/proc", "/sys", "/var/log"], hostPaths.Values.Order(StringComparer.Ordinal));

        var mounts = Items(Container, "volumeMounts").ToDictionary(m => Scalar(m, "name"), m => m);
        foreach (var (volume, _) in hostPaths)
        {
            Assert.Equal("true", Scalar(mounts[volume], "readOnly"));
        }

        var args = Strings(Container, "args");
        string Flag(string name) => Assert.Single(args, a => a.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
        string MountOf(string hostPath) => Scalar(mounts[hostPaths.Single(h => h.Value == hostPath).Key], "mountPath");
        Assert.Equal(MountOf("/proc"), Flag("--path.procfs"));
        Assert.Equal(MountOf("/sys"), Flag("--path.sysfs"));
        Assert.Equal(Flag("--path.rootfs") + "/var/log", MountOf("/var/log"));
        Assert.StartsWith("/var/log/", ConfigDefaults.AuditLog, StringComparison.Ordinal);
    }

    [Fact]
    public void No_host_path_is_created_on_the_node_and_each_exists_on_every_node()
    {
        // DirectoryOrCreate (and an empty type, which containerd treats alike) makes the folder on the node; a folder
        // only some nodes have (/var/log/audit: auditd) with type Directory would keep the pod from starting there.
        foreach (var volume in Items(At(DaemonSet, "spec.template.spec"), "volumes").Where(v => TryAt(v, "hostPath") is not null))
        {
            Assert.Equal("Directory", Scalar(volume, "hostPath.type"));
            Assert.Contains(Scalar(volume, "hostPath.path"), (string[])["/proc", "/sys", "/var/log"]);
        }
    }

    [Fact]
    public void The_container_arguments_are_flags_the_exporter_knows()
    {
        var help = Shell.Run(Path.Combine(AppContext.BaseDirectory, "port-exporter"), "--help").Stdout;
        foreach (var arg in Strings(Container, "args"))
        {
            Assert.Contains(arg.Split('=')[0], help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Ports_match_the_exporters_default_port_from_pod_to_service_monitor()
    {
        Assert.Contains($"--web.listen-address=:{DefaultPort}", Strings(Container, "args"));
        var port = At(Container, "ports[0]");
        Assert.Equal("metrics", Scalar(port, "name"));
        Assert.Equal(DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar(port, "containerPort"));
        Assert.Equal(Scalar(port, "containerPort"), Scalar(port, "hostPort"));
        Assert.Equal("metrics", Scalar(Container, "livenessProbe.httpGet.port"));
        Assert.Equal("/-/healthy", Scalar(Container, "livenessProbe.httpGet.path"));
        Assert.Equal("/-/ready", Scalar(Container, "readinessProbe.httpGet.path"));

        var service = Manifest("service.yaml");
        Assert.Equal("None", Scalar(service, "spec.clusterIP"));
        Assert.Equal(Scalar(port, "containerPort"), Scalar(service, "spec.ports[0].port"));
        Assert.Equal("metrics", Scalar(service, "spec.ports[0].targetPort"));

        var monitor = Manifest("servicemonitor.yaml");
        Assert.Equal(Scalar(service, "spec.ports[0].name"), Scalar(monitor, "spec.endpoints[0].port"));
        Assert.Equal(ConfigDefaults.TelemetryPath, Scalar(monitor, "spec.endpoints[0].path"));
    }

    [Fact]
    public void Selectors_match_the_pods_and_the_service()
    {
        var podLabels = (YamlMappingNode)At(DaemonSet, "spec.template.metadata.labels");
        AssertSubset((YamlMappingNode)At(DaemonSet, "spec.selector.matchLabels"), podLabels);
        AssertSubset((YamlMappingNode)At(Manifest("service.yaml"), "spec.selector"), podLabels);
        AssertSubset((YamlMappingNode)At(Manifest("servicemonitor.yaml"), "spec.selector.matchLabels"), (YamlMappingNode)At(Manifest("service.yaml"), "metadata.labels"));
        Assert.Equal(Scalar(Manifest("serviceaccount.yaml"), "metadata.name"), Scalar(DaemonSet, "spec.template.spec.serviceAccountName"));
    }

    [Fact]
    public void The_namespace_admits_the_privileged_pod_and_nothing_mounts_the_api_token()
    {
        var ns = Manifest("namespace.yaml");
        var labels = (YamlMappingNode)At(ns, "metadata.labels");
        Assert.Equal("privileged", ((YamlScalarNode)labels.Children[new YamlScalarNode("pod-security.kubernetes.io/enforce")]).Value);
        Assert.Equal(Scalar(ns, "metadata.name"), Scalar(Manifest("kustomization.yaml"), "namespace"));
        Assert.Equal("false", Scalar(Manifest("serviceaccount.yaml"), "automountServiceAccountToken"));
    }

    private static void AssertSubset(YamlMappingNode selector, YamlMappingNode labels)
    {
        Assert.NotEmpty(selector.Children);
        foreach (var (k, v) in selector.Children)
        {
            Assert.True(labels.Children.TryGetValue(k, out var value) && value.Equals(v), $"label {k}={v} not on the target");
        }
    }
}
