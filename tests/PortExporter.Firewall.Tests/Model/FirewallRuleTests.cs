using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary><see cref="FirewallRule"/> stores its parts compactly: what goes in must come out unchanged.</summary>
public sealed class FirewallRuleTests
{
    [Theory]
    [InlineData("tcp dport 22 accept")]
    [InlineData("")]
    [InlineData("comment \"caf\u00e9\" accept")]
    [InlineData("comment \"\u65e5\u672c\" drop")]
    [InlineData("comment \"\ud83d\ude80 \ud800\" drop")]
    public void Text_comes_back_as_given(string text)
    {
        var rule = new FirewallRule(1, null, text, [], RuleAction.Accept);
        Assert.Equal(text, rule.Text);
        Assert.Equal($"rule 1: {text}", rule.Label);
        Assert.Equal($"[{text}]", rule.AppendText(new System.Text.StringBuilder("[")).Append(']').ToString());
    }

    [Fact]
    public void Text_longer_than_the_copy_buffer_is_appended_whole_and_without_a_string()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"caf\u00e9 {i} "));
        var rule = new FirewallRule(1, null, text, [], RuleAction.Accept);
        var destination = new System.Text.StringBuilder(text.Length * 2);
        rule.AppendText(destination); // warm

        destination.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        rule.AppendText(destination);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(text, destination.ToString());
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Optional_numbers_keep_null_apart_from_zero()
    {
        var none = new FirewallRule(2, null, "x", [], RuleAction.Drop);
        Assert.Equal((null, null, null, false), (none.Handle, none.Packets, none.Bytes, none.SetsNotrack));

        var zeros = new FirewallRule(3, 0, "x", [], RuleAction.Drop) { Packets = 0, Bytes = 0, SetsNotrack = true };
        Assert.Equal((0L, 0L, 0L, true), (zeros.Handle, zeros.Packets, zeros.Bytes, zeros.SetsNotrack));

        var big = new FirewallRule(4, long.MaxValue, "x", [], RuleAction.Drop) { Packets = long.MaxValue, Bytes = long.MinValue };
        Assert.Equal((long.MaxValue, long.MaxValue, long.MinValue, false), (big.Handle, big.Packets, big.Bytes, big.SetsNotrack));
        Assert.Equal("handle 9223372036854775807: x", big.Label);

        var copy = zeros with { Packets = null, SetsNotrack = false };
        Assert.Equal((0L, null, 0L, false, 3), (copy.Handle, copy.Packets, copy.Bytes, copy.SetsNotrack, copy.Position));
    }

    [Fact]
    public void Matches_are_kept_in_order_and_not_shared_with_the_caller()
    {
        var first = new UnknownMatch("first");
        var second = new UnknownMatch("second");
        var list = new List<RuleMatch> { first, second };
        var rule = new FirewallRule(1, null, "x", list, RuleAction.Accept);
        list.Clear();
        Assert.Equal([first, second], rule.Matches);
        Assert.Equal("first", rule.UnknownReason);
    }
}
