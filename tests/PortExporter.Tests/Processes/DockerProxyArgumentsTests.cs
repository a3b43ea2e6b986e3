using System.Net;
using PortExporter.Core.Processes;
using PortExporter.Firewall;

namespace PortExporter.Tests.Processes;

/// <summary>
/// docker-proxy's command line as dockerd starts it (libnetwork's portmapper: <c>-proto -host-ip -host-port
/// -container-ip -container-port</c>, and <c>-use-listen-fd</c> from Docker 27 on), read back from
/// <c>/proc/PID/cmdline</c> of the real binary in <see cref="Backend.UserlandProxyNamespaceTests"/>.
/// </summary>
public sealed class DockerProxyArgumentsTests
{
    [Fact]
    public void The_arguments_dockerd_gives_name_the_container_address_and_port()
    {
        var forward = DockerProxyArguments.Parse(["/usr/sbin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", "8080", "-container-ip", "172.17.0.2", "-container-port", "80"]);

        Assert.Equal(new ProxyForward(TransportProtocol.Tcp, 8080, IPAddress.Parse("172.17.0.2"), 80), forward);
    }

    [Theory]
    [InlineData("udp", "fd00::2", TransportProtocol.Udp)]
    [InlineData("tcp", "172.18.0.5", TransportProtocol.Tcp)]
    public void Go_flag_forms_and_either_family(string proto, string address, TransportProtocol expected)
    {
        var forward = DockerProxyArguments.Parse(["docker-proxy", $"--proto={proto}", "-host-ip", "::", "--host-port", "53", $"-container-ip={address}", "-container-port", "5353", "-use-listen-fd"]);

        Assert.Equal(new ProxyForward(expected, 53, IPAddress.Parse(address), 5353), forward);
    }

    [Fact]
    public void Without_a_protocol_it_is_tcp_as_docker_proxys_own_default()
    {
        Assert.Equal(TransportProtocol.Tcp, DockerProxyArguments.Parse(["docker-proxy", "-host-port", "80", "-container-ip", "10.0.0.2", "-container-port", "80"])?.Protocol);
    }

    [Theory]
    [InlineData("-proto", "sctp", "-host-port", "80", "-container-ip", "10.0.0.2", "-container-port", "80")]
    [InlineData("-proto", "tcp", "-host-port", "80", "-container-ip", "not-an-address", "-container-port", "80")]
    [InlineData("-proto", "tcp", "-host-port", "80", "-container-ip", "10.0.0.2", "-container-port", "70000")]
    [InlineData("-proto", "tcp", "-host-port", "-1", "-container-ip", "10.0.0.2", "-container-port", "80")]
    [InlineData("-proto", "tcp", "-host-port", "80", "-container-ip", "10.0.0.2", "-container-port", "")]
    [InlineData("-proto", "tcp", "-host-port", "80", "-container-port", "80", "-container-ip", "")]
    public void A_missing_or_malformed_flag_gives_no_forward(params string[] flags)
    {
        Assert.Null(DockerProxyArguments.Parse(["docker-proxy", .. flags]));
    }
}
