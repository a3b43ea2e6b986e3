using System.Buffers;
using System.Text;
using PortExporter.Core.Commands;

namespace PortExporter.Tests.Commands;

/// <summary>
/// A command's output as the runner hands it on: in the pieces it was read in, whole, in order, and refused past the
/// cap. The program is a script named <c>nft</c> in a folder of the test's own, given as the runner's search path.
/// </summary>
public sealed class ProcessCommandRunnerOutputTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("pe-runner-output-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(10)]
    [InlineData(65_536)]
    [InlineData(300_001)]
    public async Task Output_comes_back_whole_and_in_order(int lines)
    {
        var runner = Runner(lines);

        var result = await runner.RunAsync(AllowedCommand.NftListRulesetJson, Timeout, CancellationToken.None);

        var expected = Expected(lines);
        Assert.True(result.Succeeded);
        Assert.Equal(expected.Length, result.StdoutUtf8.Length);
        Assert.Equal(expected, result.Stdout);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), result.StdoutUtf8.ToArray());
    }

    [Fact]
    public async Task Output_past_the_cap_is_dropped_and_marked_truncated()
    {
        var runner = Runner(300_001, outputCapBytes: 200_000);

        var result = await runner.RunAsync(AllowedCommand.NftListRulesetJson, Timeout, CancellationToken.None);

        Assert.True(result.Truncated);
        Assert.Equal(0, result.StdoutUtf8.Length);
    }

    /// <summary>What <c>seq 1 LINES</c> prints.</summary>
    private static string Expected(int lines)
    {
        var text = new StringBuilder();
        for (var i = 1; i <= lines; i++)
        {
            text.Append(i).Append('\n');
        }

        return text.ToString();
    }

    private ProcessCommandRunner Runner(int lines, int outputCapBytes = ProcessCommandRunner.DefaultOutputCapBytes)
    {
        var script = Path.Combine(_folder, "nft");
        File.WriteAllText(script, $"#!/bin/sh\nexec seq 1 {lines}\n");
        Reliability.UnixModes.Set(script, "700");
        return new ProcessCommandRunner(CommandSearchPath.Parse($"{_folder}:/usr/bin:/bin"), outputCapBytes);
    }
}
