using PortExporter.Core.Processes;

namespace PortExporter.Tests.Processes;

public sealed class SocketLinkParserTests
{
    [Theory]
    [InlineData("socket:[60001]", true, 60001UL)]
    [InlineData("socket:[18446744073709551615]", true, ulong.MaxValue)]
    [InlineData("socket:[18446744073709551616]", false, 0UL)]
    [InlineData("socket:[]", false, 0UL)]
    [InlineData("socket:[-1]", false, 0UL)]
    [InlineData("socket:[ 1]", false, 0UL)]
    [InlineData("socket:[12a]", false, 0UL)]
    [InlineData("socket:[123", false, 0UL)]
    [InlineData("socket:123]", false, 0UL)]
    [InlineData("pipe:[59950]", false, 0UL)]
    [InlineData("anon_inode:[eventpoll]", false, 0UL)]
    [InlineData("/dev/null", false, 0UL)]
    [InlineData("", false, 0UL)]
    public void Reads_the_inode_of_socket_links_only(string target, bool isSocket, ulong inode)
    {
        Assert.Equal(isSocket, SocketLinkParser.TryParseSocketInode(target, out var parsed));
        Assert.Equal(inode, parsed);
    }
}
