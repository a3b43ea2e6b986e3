using System.Text;
using PortExporter.Firewall.Model;
using Xunit.Abstractions;

namespace PortExporter.Firewall.Tests;

/// <summary>A set's content digest: the same whatever the members' order, and hashed without an object per member.</summary>
public sealed class SetContentTests(ITestOutputHelper output)
{
    private static readonly byte[][] Members = [.. Enumerable.Range(0, 10_000).Select(i => Encoding.UTF8.GetBytes($"10.{i / 256}.{i % 256}.1"))];

    [Fact]
    public void The_digest_does_not_depend_on_the_members_order()
    {
        var texts = Members.Select(Encoding.UTF8.GetString).ToList();

        var forward = SetContent.Of("allow", texts);
        var backward = SetContent.Of("allow", Enumerable.Reverse(texts));

        Assert.Equal(forward, backward);
        Assert.Equal(10_000, forward.Elements);
        Assert.NotEqual(forward.Sha256, SetContent.Of("allow", texts.Skip(1)).Sha256);
    }

    [Fact]
    public void Members_are_hashed_without_allocating_per_member()
    {
        var warm = new SetContent.Builder("allow");
        warm.Add(Members[0]);

        var builder = new SetContent.Builder("allow");
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var member in Members)
        {
            builder.Add(member);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{allocated} bytes allocated for {Members.Length} members");
        Assert.True(allocated < 4096, $"{allocated} bytes allocated for {Members.Length} members");
    }
}
