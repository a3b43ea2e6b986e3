using System.Text;
using PortExporter.Core;
using PortExporter.Core.Selinux;

namespace PortExporter.Tests.Selinux;

public sealed class AvcRecordParserTests
{
    [Fact]
    public void Parses_a_name_bind_denial()
    {
        const string line = "type=AVC msg=audit(1700000000.123:456): avc:  denied  { name_bind } for  pid=1234 comm=\"nginx\" src=8081 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0";

        Assert.Equal(AuditLineKind.Denial, AvcRecordParser.Parse(line, out var denial));
        Assert.NotNull(denial);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), denial.Timestamp);
        Assert.Equal(456UL, denial.Serial);
        Assert.Equal(["name_bind"], denial.Permissions);
        Assert.Equal(new PortKey(8081, TransportProtocol.Tcp), denial.Port);
        Assert.Equal("httpd_t", denial.SourceType);
        Assert.Equal("unreserved_port_t", denial.TargetType);
        Assert.Equal("nginx", denial.Comm);
        Assert.Equal(1234, denial.Pid);
        Assert.False(denial.Permissive);
        Assert.True(denial.Enforced);
    }

    [Theory]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_connect } for  pid=2 comm=\"php-fpm\" dest=3306 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:mysqld_port_t:s0 tclass=tcp_socket permissive=0", "name_connect", 3306, TransportProtocol.Tcp, "httpd_t")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { node_bind } for  pid=2 comm=\"x\" saddr=10.0.0.5 src=9100 scontext=u:r:unconfined_service_t:s0 tcontext=system_u:object_r:node_t:s0 tclass=tcp_socket permissive=1", "node_bind", 9100, TransportProtocol.Tcp, "unconfined_service_t")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  pid=2 comm=\"unbound\" src=53 scontext=system_u:system_r:named_t:s0 tcontext=system_u:object_r:dns_port_t:s0 tclass=udp_socket", "name_bind", 53, TransportProtocol.Udp, "named_t")]
    [InlineData("node=web01 type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  pid=2 comm=\"sshd\" src=2222 scontext=system_u:system_r:sshd_t:s0-s0:c0.c1023 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0", "name_bind", 2222, TransportProtocol.Tcp, "sshd_t")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  pid=2 comm=\"my app\" src=8080 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket permissive=0\u001dARCH=x86_64 SYSCALL=bind", "name_bind", 8080, TransportProtocol.Tcp, "c_t")]
    [InlineData("type=AVC msg=audit(1.000:1): avc: denied { name_bind } for pid=2 comm=6D7920617070 src=8080 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket permissive=0\r", "name_bind", 8080, TransportProtocol.Tcp, "c_t")]
    public void Parses_every_port_permission_and_protocol(string line, string permission, int port, TransportProtocol protocol, string sourceType)
    {
        Assert.Equal(AuditLineKind.Denial, AvcRecordParser.Parse(line, out var denial));
        Assert.Equal([permission], denial!.Permissions);
        Assert.Equal(new PortKey(port, protocol), denial.Port);
        Assert.Equal(sourceType, denial.SourceType);
    }

    [Fact]
    public void Keeps_a_quoted_comm_with_spaces_and_reads_permissive()
    {
        const string line = "type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  pid=2 comm=\"my app\" src=8080 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket permissive=1";

        AvcRecordParser.Parse(line, out var denial);

        Assert.Equal("my app", denial!.Comm);
        Assert.True(denial.Permissive);
        Assert.False(denial.Enforced);
    }

    [Fact]
    public void Takes_every_port_permission_of_a_record()
    {
        const string line = "type=AVC msg=audit(1.000:1): avc:  denied  { node_bind name_bind } for  pid=2 src=8080 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket";

        AvcRecordParser.Parse(line, out var denial);

        Assert.Equal(["name_bind", "node_bind"], denial!.Permissions);
        Assert.Null(denial.Permissive);
        Assert.True(denial.Enforced);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=49 success=no exit=-13 comm=\"nginx\"")]
    [InlineData("type=USER_AVC msg=audit(1.000:1): pid=1 msg='avc:  denied  { send_msg } for scontext=a:b:c_t tcontext=a:b:d_t tclass=dbus'")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  granted  { name_bind } for  pid=2 src=8080 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { listen } for  pid=2 lport=8080 scontext=a:b:c_t tcontext=a:b:c_t tclass=tcp_socket permissive=0")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { read write } for  pid=2 name=\"x\" scontext=a:b:c_t tcontext=a:b:d_t tclass=file permissive=0")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  pid=2 src=8080 scontext=a:b:c_t tcontext=a:b:d_t tclass=sctp_socket permissive=0")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { node_bind } for  pid=2 saddr=::1 scontext=a:b:c_t tcontext=a:b:node_t tclass=tcp_socket permissive=0")]
    public void Ignores_what_is_not_a_port_denial(string line) =>
        Assert.Equal(AuditLineKind.Other, AvcRecordParser.Parse(line, out _));

    [Theory]
    [InlineData("this line is not an audit record")]
    [InlineData("node=web01")]
    [InlineData("type=AVC msg=audit(1795638070.000): avc:  denied  { name_bind } for  src=8082 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(abc.000:1): avc:  denied  { name_bind } for  src=8082 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.0000:1): avc:  denied  { name_bind } for  src=8082 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1 avc:  denied  { name_bind } for  src=8082 scontext=a:b:c_t tclass=tcp_socket")]
    [InlineData("type=AVC avc:  denied  { name_bind } for  src=8082 scontext=a:b:c_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): denied  { name_bind } for  src=8082 scontext=a:b:c_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  maybe  { name_bind } for  src=8082 scontext=a:b:c_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  name_bind  for  src=8082 tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  src=80x82 scontext=a:b:c_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  src=70000 scontext=a:b:c_t tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  src=8082 scontext=a:b:c_t permissive=0")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  src=8082 tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  src=8082 scontext=garbage tclass=tcp_socket")]
    [InlineData("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  comm=\"unterminated src=8082 scontext=a:b:c_t tclass=tcp_socket")]
    public void Flags_malformed_records(string line) =>
        Assert.Equal(AuditLineKind.Malformed, AvcRecordParser.Parse(line, out _));

    [Fact]
    public void Filters_unwatched_ports_before_allocating()
    {
        var bytes = Encoding.UTF8.GetBytes("type=AVC msg=audit(1.000:1): avc:  denied  { name_bind } for  pid=2 src=2222 scontext=a:b:c_t tcontext=a:b:d_t tclass=tcp_socket permissive=0");
        AvcRecordParser.Parse(bytes, _ => false, out _); // warm up

        var unwatched = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            if (AvcRecordParser.Parse(bytes, k => k.Port == 8081, out _) == AuditLineKind.UnwatchedDenial)
            {
                unwatched++;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, unwatched);
        Assert.True(allocated < 1024, $"parsing 10000 unwatched denials allocated {allocated} bytes");
    }

    [Fact]
    public void Every_fixture_line_is_classified()
    {
        var kinds = File.ReadAllLines(Fixtures.Dir("enforcing", "root", "var", "log", "audit", "audit.log"))
            .Select(l => AvcRecordParser.Parse(l, out _))
            .GroupBy(k => k)
            .ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(7, kinds[AuditLineKind.Denial]);
        Assert.Equal(5, kinds[AuditLineKind.Malformed]);
        Assert.Equal(8, kinds[AuditLineKind.Other]);
    }
}
