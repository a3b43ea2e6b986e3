using System.Text;
using PortExporter.Web.Security;

namespace PortExporter.Tests.Security;

public sealed class BasicCredentialsTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Theory]
    [InlineData("alice:secret", "alice", "secret")]
    [InlineData("alice:se:cr:et", "alice", "se:cr:et")]
    [InlineData("alice:", "alice", "")]
    [InlineData(":secret", "", "secret")]
    [InlineData("jürgen:pässwört", "jürgen", "pässwört")]
    public void Basic_credentials_are_split_at_the_first_colon(string decoded, string user, string password)
    {
        Assert.True(BasicCredentials.TryParse("Basic " + B64(decoded), out var credentials));
        Assert.Equal(new BasicCredentials(user, password), credentials);
        Assert.True(BasicCredentials.TryParse("basic  " + B64(decoded), out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic")]
    [InlineData("Basic ")]
    [InlineData("Bearer YWxpY2U6c2VjcmV0")]
    [InlineData("Basic YWxpY2U")]
    [InlineData("Basic YWxpY2Vfc2VjcmV0")] // "alice_secret": no colon
    [InlineData("Basic /w==")] // 0xFF: not UTF-8
    [InlineData("BasicYWxpY2U6c2VjcmV0")]
    public void Anything_else_is_no_credentials(string? header)
    {
        Assert.False(BasicCredentials.TryParse(header, out var credentials));
        Assert.Null(credentials);
    }

    [Fact]
    public void An_oversized_header_is_not_decoded()
    {
        Assert.False(BasicCredentials.TryParse("Basic " + B64("alice:" + new string('x', BasicCredentials.MaxHeaderLength)), out _));
    }

    [Fact]
    public void The_password_is_not_printed()
    {
        Assert.DoesNotContain("hunter2", new BasicCredentials("alice", "hunter2").ToString(), StringComparison.Ordinal);
    }
}
