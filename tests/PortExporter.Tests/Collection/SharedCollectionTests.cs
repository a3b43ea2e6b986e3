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

    [Fact]
    public async Task Starting_is_called_once_per_run_and_never_for_a_joiner_or_a_fresh_result()
    {
        using var shared = new SharedCollection<string>();
        var starts = new List<int>();
        var gate = new TaskCompletionSource();
        Task<string> Run(int caller, bool fresh) => shared.RunAsync(
            async () =>
            {
                await gate.Task;
                return "42";
            },
            _ => fresh,
            () => starts.Add(caller));

        var first = Run(1, fresh: false);
        var joiner = Run(2, fresh: false);
        Assert.Equal([1], starts);
        gate.SetResult();
        await Task.WhenAll(first, joiner);

        Assert.Equal("42", await Run(3, fresh: true));
        Assert.Equal([1], starts);
        await Run(4, fresh: false);
        Assert.Equal([1, 4], starts);
    }
}
