using System.CommandLine;

namespace PortExporter.Cli;

/// <summary>The command line: serve (the default), <c>diagnose</c>, <c>baseline</c> and <c>check-config</c>.</summary>
public static class CommandLine
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var common = new CommonOptions();
        var root = new RootCommand("PortExporter: a Prometheus exporter that tells why a service port cannot be reached from outside.");
        common.AddTo(root);
        root.Options.Add(common.ListenAddress);
        root.Options.Add(common.TelemetryPath);
        root.Options.Add(common.WebConfigFile);
        root.Options.Add(common.EnableLifecycle);
        root.Options.Add(common.DiagnoseListenAddress);
        root.Options.Add(common.MaxConnections);
        root.Options.Add(common.BaselineFile);
        root.Options.Add(common.StoragePath);

        // One parser for the value and its range: a validator reading a value that did not parse throws.
        var port = new Option<int?>("--port")
        {
            Description = "Only this watched port.",
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Empty;
                if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535)
                {
                    return p;
                }

                r.AddError($"--port: expected a port number 1-65535, got '{text}'");
                return null;
            },
        };
        var output = new Option<string>("--output") { Description = "text or json.", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var diagnose = new Command("diagnose", "Collect the evidence once, print the diagnosis per port; exit 0 when every port is ok, 1 when one is not, 2 on bad usage or config.");
        diagnose.Options.Add(port);
        diagnose.Options.Add(output);
        diagnose.Options.Add(common.BaselineFile);
        diagnose.Options.Add(common.StoragePath);
        var baselineOutput = new Option<string?>("--output") { Description = "Write the baseline to this file (default: stdout)." };
        var baselineCheck = new Option<string?>("--check") { Description = "Compare the live host with this baseline file instead: exit 0 same, 1 drift, 2 bad usage or file." };
        var baseline = new Command("baseline", "Collect the evidence once and write the host's reachable surface as YAML, deterministic, to review in version control; with --check FILE, compare the live host with it.");
        baseline.Options.Add(baselineOutput);
        baseline.Options.Add(baselineCheck);
        var checkConfig = new Command("check-config", "Validate the config file and exit (0 valid, 2 invalid).");
        root.Subcommands.Add(diagnose);
        root.Subcommands.Add(baseline);
        root.Subcommands.Add(checkConfig);

        root.SetAction((parse, ct) => Settings(parse, common, stderr) is { } s ? ServeVerb.RunAsync(s, ct) : Task.FromResult(ExitCodes.Usage));
        diagnose.SetAction((parse, ct) => Settings(parse, common, stderr) is { } s
            ? DiagnoseVerb.RunAsync(s, parse.GetValue(port), parse.GetValue(output) ?? "text", stdout, stderr, ct)
            : Task.FromResult(ExitCodes.Usage));
        baseline.SetAction((parse, ct) => Settings(parse, common, stderr) is { } s
            ? BaselineVerb.RunAsync(s, parse.GetValue(baselineOutput), parse.GetValue(baselineCheck), stdout, stderr, ct)
            : Task.FromResult(ExitCodes.Usage));
        checkConfig.SetAction(parse => Settings(parse, common, stderr) is { } s ? CheckConfigVerb.Run(s, stdout, stderr) : ExitCodes.Usage);

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await stderr.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await stderr.WriteLineAsync("see --help").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await result.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }).ConfigureAwait(false);
    }

    private static Hosting.ExporterSettings? Settings(ParseResult parse, CommonOptions common, TextWriter stderr) => common.Read(parse, stderr);
}
