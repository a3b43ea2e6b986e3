using PortExporter.Core.Collection;

namespace PortExporter.Tests.Collection;

public sealed class SharedCollectionTests
{
    [Fact]
    public async Task Concurrent_callers_share_one_run()
    {
        var shared = new SharedCollection<string>();
        var runs = 0;
        var gate = new TaskCompletionSource();
        Task<string> Run() => shared.RunAsync(async () =>
        {
            Interlocked.Increment(ref runs);
            await gate.Task;
            return "42";
        });

        var callers = Enumerable.Range(0, 20).Select(_ => Run()).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(callers);
        Assert.Equal(1, runs);
        Assert.All(results, r => Assert.Equal("42", r));

        await Run();
        Assert.Equal(2, runs);
    }
}
