using PortExporter.Cli;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Security;

public sealed class ServeWebConfigTests
{
    /// <summary>Runs the real binary (exit code and stderr as an operator sees them).</summary>
    private static Task<(int Exit, string Stderr)> Serve(params string[] args)
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "port-exporter");
        var result = Shell.RunWithTimeout(TimeSpan.FromSeconds(60), binary, ["--web.listen-address", $"127.0.0.1:{FreePort.Next()}", .. args]);
        return Task.FromResult((result.ExitCode, result.Stderr));
    }

    [Fact]
    public async Task Serve_exits_2_naming_the_web_config_line_and_key_when_a_certificate_is_missing()
    {
        using var dir = new TempDir();
        var web = dir.File("web.yml", "tls_server_config:\n  cert_file: missing.pem\n  key_file: missing.key\n");
        var (exit, stderr) = await Serve("--web.config.file", web);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"invalid web config: {web}:2:14: tls_server_config.cert_file: cannot read {dir.Path}/missing.pem: no such file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_exits_2_naming_the_key_file_line_when_an_EC_key_does_not_belong_to_the_certificate()
    {
        using var dir = new TempDir();
        var (cert, key) = WebConfigLoaderTests.MismatchedEcPair(dir.Path);
        var web = dir.File("web.yml", $"tls_server_config:\n  cert_file: {cert}\n  key_file: {key}\n");
        var (exit, stderr) = await Serve("--web.config.file", web);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"invalid web config: {web}:3:13: tls_server_config.key_file: the private key in {key} does not belong to the certificate in {cert}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_exits_2_on_a_bad_hash()
    {
        using var dir = new TempDir();
        var web = dir.File("web.yml", "basic_auth_users:\n  prometheus: hunter2\n");
        var (exit, stderr) = await Serve("--web.config.file", web);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"{web}:2:15: basic_auth_users.prometheus: expected a bcrypt hash", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_exits_2_when_the_web_config_file_is_missing()
    {
        var (exit, stderr) = await Serve("--web.config.file", "/nonexistent/web.yml");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("invalid web config: /nonexistent/web.yml: cannot read web config file: no such file", stderr, StringComparison.Ordinal);
    }
}
