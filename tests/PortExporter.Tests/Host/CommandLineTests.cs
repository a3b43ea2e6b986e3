using PortExporter.Cli;
using PortExporter.Tests.Support;

namespace PortExporter.Tests.Host;

public sealed class CommandLineTests
{
    private static async Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CommandLine.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--web.diagnose-listen-address", ":10070", "--web.diagnose-listen-address: must differ from --web.listen-address")]
    [InlineData("--web.diagnose-listen-address", "127.0.0.1:10070", "--web.diagnose-listen-address: must differ from --web.listen-address")]
    [InlineData("--web.diagnose-listen-address", "diag.example:10071", "--web.diagnose-listen-address: 'diag.example' is not an IP address")]
    [InlineData("--web.max-connections", "0", "--web.max-connections: expected a positive number, got 0")]
    public async Task Bad_web_flags_are_usage_errors_before_anything_listens(string flag, string value, string expected)
    {
        var (exit, _, stderr) = await Run(flag, value);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_web_flags_reach_the_settings_and_default_to_closed()
    {
        var common = new CommonOptions();
        var root = new System.CommandLine.RootCommand();
        common.AddTo(root);
        foreach (var option in new System.CommandLine.Option[] { common.ListenAddress, common.EnableLifecycle, common.DiagnoseListenAddress, common.MaxConnections })
        {
            root.Options.Add(option);
        }

        var given = common.Read(root.Parse(["--web.enable-lifecycle", "--web.diagnose-listen-address", "127.0.0.1:10071", "--web.max-connections", "7"]), TextWriter.Null)!;
        var defaults = common.Read(root.Parse([]), TextWriter.Null)!;

        Assert.Equal((true, "127.0.0.1:10071", 7), (given.EnableLifecycle, given.DiagnoseListenAddress?.ToString(), given.MaxConnections));
        Assert.Equal((false, null, Core.Configuration.ConfigDefaults.MaxConnections), (defaults.EnableLifecycle, defaults.DiagnoseListenAddress, defaults.MaxConnections));
    }

    [Fact]
    public async Task Check_config_accepts_a_valid_file()
    {
        using var dir = new TempDir();
        var file = dir.File("ok.yml", "ports:\n  - name: web\n    port: 8080\n");
        var (exit, stdout, _) = await Run("check-config", "--config.file", file);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("OK (1 ports", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_config_names_file_line_and_key_of_a_bad_file_and_exits_2()
    {
        using var dir = new TempDir();
        var file = dir.File("bad.yml", "ports:\n  - name: web\n    port: 99999\n");
        var (exit, _, stderr) = await Run("check-config", "--config.file", file);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"{file}:3:", stderr, StringComparison.Ordinal);
        Assert.Contains("ports[0].port", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_config_file_is_a_usage_error()
    {
        var (exit, _, stderr) = await Run("diagnose", "--config.file", "/nonexistent/port-exporter.yml");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("/nonexistent/port-exporter.yml", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--no-such-flag")]
    [InlineData("diagnose", "--output", "yaml")]
    [InlineData("diagnose", "--port", "70000")]
    [InlineData("diagnose", "--port", "notanumber")]
    [InlineData("diagnose", "--port", "0")]
    [InlineData("diagnose", "--port", "8080x")]
    [InlineData("--log.level", "chatty")]
    [InlineData("--web.listen-address", "example.com:80")]
    public async Task Bad_usage_exits_2(params string[] args)
    {
        var (exit, _, stderr) = await Run(args);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.NotEmpty(stderr);
        if (args is ["diagnose", "--port", var value])
        {
            Assert.Contains($"--port: expected a port number 1-65535, got '{value}'", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Diagnose_a_port_that_is_not_watched_is_a_usage_error()
    {
        using var dir = new TempDir();
        var file = dir.File("one.yml", "probes:\n  enabled: false\nports:\n  - name: web\n    port: 8080\n");
        var (exit, _, stderr) = await Run("diagnose", "--config.file", file, "--port", "9999");
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("not a watched port", stderr, StringComparison.Ordinal);
    }
}
