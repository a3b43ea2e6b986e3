using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PortExporter.Core;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Selinux;

public sealed class SelinuxCollectorTests
{
    private const string ConfigYaml = """
        ports:
          - name: web
            port: 8081
            protocol: tcp
            selinux_type: http_port_t
          - name: api
            port: 8082
            protocol: tcp
            selinux_type: http_port_t
          - name: db
            port: 3306
            protocol: tcp
          - name: dns
            port: 53
            protocol: udp
            selinux_type: dns_port_t
          - name: metrics
            port: 9100
            protocol: tcp
        selinux:
          audit_log: /var/log/audit/audit.log
        """;

    private static readonly PortKey Web = new(8081, TransportProtocol.Tcp);
    private static readonly PortKey Api = new(8082, TransportProtocol.Tcp);
    private static readonly PortKey Db = new(3306, TransportProtocol.Tcp);
    private static readonly PortKey Dns = new(53, TransportProtocol.Udp);
    private static readonly PortKey Metrics = new(9100, TransportProtocol.Tcp);

    internal static SelinuxCollectorOptions WithSemanage { get; } = SelinuxCollectorOptions.Default with { Semanage = SemanageUse.Always };

    [Fact]
    public async Task Enforcing_host_labels_denials_and_verdicts()
    {
        var runner = new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, Fixtures.Text("enforcing", "semanage-port-list.txt"));
        var collector = new SelinuxCollector(runner, NullLogger<SelinuxCollector>.Instance, WithSemanage);

        var selinux = await CollectAsync(collector, Fixtures.Host("enforcing"));

        Assert.True(selinux.Enabled);
        Assert.True(selinux.Enforcing);
        Assert.Equal(SelinuxMode.Enforcing, selinux.CurrentMode);
        Assert.Equal(SelinuxMode.Enforcing, selinux.ConfigMode);
        Assert.Equal("targeted", selinux.PolicyType);
        Assert.True(selinux.LabelTableComplete);
        Assert.StartsWith("semanage port -l -n + ", selinux.LabelTableOrigin, StringComparison.Ordinal);
        Assert.Equal(AuditLogState.Read, selinux.AuditLog!.State);
        Assert.Equal(5, selinux.AuditLog.MalformedRecords);
        Assert.Equal(0, selinux.AuditLog.BytesBehind);

        // web: locally labelled http_port_t; its one denial predates the listener's process: allowed.
        var web = selinux.Ports[Web];
        Assert.Equal(("http_port_t", PortLabelSource.LocalCustomisation, true), (web.PortType, web.PortTypeSource, web.LabelOk));
        Assert.Equal(1, web.DenialsByPermission["name_bind"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_637_900_412), web.LastDenialAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_637_980_710), web.DenialsSince);
        Assert.False(web.DeniedSinceStart);
        Assert.True(web.Allowed);
        Assert.Equal("semanage port -m -t http_port_t -p tcp 8081", web.FixCommand);

        // api: only in the unreserved range, denied twice, nothing listens: the case's hypothesis D.
        var api = selinux.Ports[Api];
        Assert.Equal(("unreserved_port_t", PortLabelSource.Policy, false), (api.PortType, api.PortTypeSource, api.LabelOk));
        Assert.Equal(new Dictionary<string, long> { ["name_bind"] = 2, ["name_connect"] = 0, ["node_bind"] = 0 }, api.DenialsByPermission);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_795_638_012_500), api.LastDenialAt);
        Assert.Equal(("httpd_t", "name_bind", "nginx"), (api.LastDenialSourceType, api.LastDenialPermission, api.LastDenialComm));
        Assert.Null(api.DenialsSince);
        Assert.True(api.DeniedSinceStart);
        Assert.False(api.Allowed);
        Assert.Equal("semanage port -a -t http_port_t -p tcp 8082", api.FixCommand);

        var db = selinux.Ports[Db];
        Assert.Equal(("mysqld_port_t", PortLabelSource.Policy, null), (db.PortType, db.PortTypeSource, db.LabelOk));
        Assert.Equal(1, db.DenialsByPermission["name_connect"]);
        Assert.False(db.Allowed);
        Assert.Equal("semanage port -m -t PORT_TYPE -p tcp 3306", db.FixCommand);

        // dns: the denial was logged with permissive=1 (a permissive domain): the bind went through.
        var dns = selinux.Ports[Dns];
        Assert.Equal(("dns_port_t", true), (dns.PortType, dns.LabelOk));
        Assert.Equal(1, dns.DenialsByPermission["name_bind"]);
        Assert.False(dns.DeniedSinceStart);
        Assert.True(dns.Allowed);

        var metrics = selinux.Ports[Metrics];
        Assert.Equal(("websm_port_t", PortLabelSource.LocalCustomisation), (metrics.PortType, metrics.PortTypeSource));
        Assert.Equal(1, metrics.DenialsByPermission["node_bind"]);
        Assert.False(metrics.Allowed);
    }

    [Fact]
    public async Task A_second_collection_reads_nothing_new_and_keeps_the_counts()
    {
        var runner = new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, Fixtures.Text("enforcing", "semanage-port-list.txt"));
        var collector = new SelinuxCollector(runner, NullLogger<SelinuxCollector>.Instance, WithSemanage);
        var first = await CollectAsync(collector, Fixtures.Host("enforcing"));

        var second = await CollectAsync(collector, Fixtures.Host("enforcing"));

        Assert.Equal(first.AuditLog!.BytesRead, second.AuditLog!.BytesRead);
        Assert.Equal(first.Ports[Api].DenialsByPermission, second.Ports[Api].DenialsByPermission);
        Assert.Equal(5, second.AuditLog.MalformedRecords);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task Permissive_host_counts_denials_but_allows()
    {
        var collector = new SelinuxCollector(new FakeCommandRunner(), NullLogger<SelinuxCollector>.Instance, WithSemanage);

        var selinux = await CollectAsync(collector, Fixtures.Host("permissive"));

        Assert.True(selinux.Enabled);
        Assert.False(selinux.Enforcing);
        Assert.Equal(SelinuxMode.Permissive, selinux.CurrentMode);
        Assert.Equal(SelinuxMode.Permissive, selinux.ConfigMode);
        var api = selinux.Ports[Api];
        Assert.Equal(1, api.DenialsByPermission["name_bind"]);
        Assert.True(api.Allowed);

        // No semanage and no ports.local: the type is unknown, not wrong.
        Assert.Equal((null, PortLabelSource.Unknown, null), (api.PortType, api.PortTypeSource, api.LabelOk));
        Assert.False(selinux.LabelTableComplete);
        Assert.Equal("none", selinux.LabelTableOrigin);
    }

    [Theory]
    [InlineData("disabled", SelinuxMode.Disabled)]
    [InlineData("absent", null)]
    public async Task Without_selinuxfs_the_evidence_says_disabled_and_nothing_else_is_read(string fixture, SelinuxMode? configMode)
    {
        var runner = new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, "ssh_port_t tcp 22\n");
        var collector = new SelinuxCollector(runner, NullLogger<SelinuxCollector>.Instance, WithSemanage);

        var selinux = await CollectAsync(collector, Fixtures.Host(fixture));

        Assert.False(selinux.Enabled);
        Assert.Equal(SelinuxMode.Disabled, selinux.CurrentMode);
        Assert.Equal(configMode, selinux.ConfigMode);
        Assert.Empty(selinux.Ports);
        Assert.Null(selinux.AuditLog);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task Without_semanage_local_customisations_still_label_their_ports()
    {
        var collector = new SelinuxCollector(new FakeCommandRunner(), NullLogger<SelinuxCollector>.Instance, WithSemanage);

        var selinux = await CollectAsync(collector, Fixtures.Host("enforcing"));

        Assert.False(selinux.LabelTableComplete);
        Assert.EndsWith("ports.local", selinux.LabelTableOrigin, StringComparison.Ordinal);
        Assert.Equal(("http_port_t", PortLabelSource.LocalCustomisation, true), (selinux.Ports[Web].PortType, selinux.Ports[Web].PortTypeSource, selinux.Ports[Web].LabelOk));
        Assert.Equal((null, PortLabelSource.Unknown, null), (selinux.Ports[Api].PortType, selinux.Ports[Api].PortTypeSource, selinux.Ports[Api].LabelOk));

        // The denials alone still say api is blocked.
        Assert.False(selinux.Ports[Api].Allowed);
    }

    [Fact]
    public async Task Auto_does_not_run_semanage_against_a_mounted_root()
    {
        var runner = new FakeCommandRunner().Answer(AllowedCommand.SemanagePortList, Fixtures.Text("enforcing", "semanage-port-list.txt"));
        var collector = new SelinuxCollector(runner, NullLogger<SelinuxCollector>.Instance, SelinuxCollectorOptions.Default);

        var selinux = await CollectAsync(collector, Fixtures.Host("enforcing"));

        Assert.Empty(runner.Calls);
        Assert.False(selinux.LabelTableComplete);
    }

    [Fact]
    public async Task Counts_only_grow_across_truncation_and_rotation()
    {
        var root = Fixtures.CopyToTemp("enforcing");
        try
        {
            var paths = new HostPaths(Path.Combine(root, "proc"), Path.Combine(root, "sys"), Path.Combine(root, "root"));
            var log = Path.Combine(root, "root", "var", "log", "audit", "audit.log");
            var collector = new SelinuxCollector(new FakeCommandRunner(), NullLogger<SelinuxCollector>.Instance, WithSemanage);
            Assert.Equal(2, (await CollectAsync(collector, paths)).Ports[Api].DenialsByPermission["name_bind"]);

            // copytruncate-style: emptied in place, then written again.
            await using (var stream = new FileStream(log, FileMode.Open, FileAccess.Write))
            {
                stream.SetLength(0);
            }

            await File.AppendAllTextAsync(log, ApiDenial(1795639000) + "\n");
            Assert.Equal(3, (await CollectAsync(collector, paths)).Ports[Api].DenialsByPermission["name_bind"]);

            // auditd-style: one more line in the old file, renamed to audit.log.1, and a new file.
            await File.AppendAllTextAsync(log, ApiDenial(1795639100) + "\n");
            File.Move(log, log + ".1");
            await File.WriteAllTextAsync(log, ApiDenial(1795639200) + "\n");
            var after = await CollectAsync(collector, paths);

            Assert.Equal(5, after.Ports[Api].DenialsByPermission["name_bind"]);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795639200), after.Ports[Api].LastDenialAt);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_audit_log_is_no_data()
    {
        var root = Fixtures.CopyToTemp("enforcing");
        try
        {
            File.Delete(Path.Combine(root, "root", "var", "log", "audit", "audit.log"));
            var collector = new SelinuxCollector(new FakeCommandRunner(), NullLogger<SelinuxCollector>.Instance, WithSemanage);

            var selinux = await CollectAsync(collector, new HostPaths(Path.Combine(root, "proc"), Path.Combine(root, "sys"), Path.Combine(root, "root")));

            Assert.Equal(AuditLogState.Missing, selinux.AuditLog!.State);
            Assert.Equal(0, selinux.Ports[Api].DenialsByPermission["name_bind"]);
            Assert.True(selinux.Ports[Web].Allowed);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_port_no_longer_watched_is_forgotten()
    {
        var collector = new SelinuxCollector(new FakeCommandRunner(), NullLogger<SelinuxCollector>.Instance, WithSemanage);
        await CollectAsync(collector, Fixtures.Host("enforcing"));

        var config = ConfigLoader.Parse("ports:\n  - name: web\n    port: 8081\n", "one.yml");
        var selinux = await collector.CollectAsync(
            new CollectionContext(config, Fixtures.Host("enforcing"), TimeProvider.System, DateTimeOffset.UtcNow.AddSeconds(10)), HostFacts.None, config.Ports, CancellationToken.None);

        Assert.Equal([Web], selinux!.Ports.Keys);
    }

    internal static string ApiDenial(long seconds) =>
        $"type=AVC msg=audit({seconds}.000:9{seconds % 1000}): avc:  denied  {{ name_bind }} for  pid=31000 comm=\"nginx\" src=8082 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0";

    /// <summary>socat (pid 30126) listens on 8081, as captured; nothing listens on the other ports.</summary>
    internal static SelinuxRun Builder() => new(
        ConfigLoader.Parse(ConfigYaml, "selinux.yml"),
        new HostFacts(
            null,
            new SocketEvidence([new Listener(TransportProtocol.Tcp, IPAddress.Any, 8081, 200966)]),
            new ProcessEvidence(
                new Dictionary<ulong, ProcessInfo> { [200966] = new ProcessInfo(30126, "socat", "socat") },
                new Dictionary<string, bool>(),
                new Dictionary<string, UnitState>(),
                SystemdAvailable: true,
                UnreadableProcesses: 0)));

    internal static async Task<SelinuxEvidence> CollectAsync(SelinuxCollector collector, HostPaths paths, TimeProvider? time = null, SelinuxRun? builder = null)
    {
        builder ??= Builder();
        var clock = time ?? TimeProvider.System;
        builder.Selinux = await collector.CollectAsync(
            new CollectionContext(builder.Config, paths, clock, clock.GetUtcNow().AddSeconds(10)), builder.Facts, builder.Config.Ports, CancellationToken.None);
        return builder.Selinux!;
    }

    /// <summary>The input of one SELinux collection and what it returned.</summary>
    internal sealed class SelinuxRun(ExporterConfig config, HostFacts facts)
    {
        public ExporterConfig Config { get; } = config;

        public HostFacts Facts { get; } = facts;

        public SelinuxEvidence? Selinux { get; set; }
    }
}
