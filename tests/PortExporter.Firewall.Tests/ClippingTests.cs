using PortExporter.Firewall.Model;

namespace PortExporter.Firewall.Tests;

/// <summary>The one clipping rule: text within the limit whole, longer text cut to the limit with the marker last.</summary>
public sealed class ClippingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(Clipping.MaxRawChars - 1)]
    [InlineData(Clipping.MaxRawChars)]
    public void Text_within_the_limit_is_kept_whole(int length)
    {
        var text = new string('y', length);
        Assert.Equal(text, Clipping.Clip(text));
        Assert.Equal(text, Clipping.Clip(text.AsSpan()));
    }

    [Theory]
    [InlineData(Clipping.MaxRawChars + 1)]
    [InlineData(10_000)]
    public void Longer_text_is_cut_to_the_limit_with_the_marker_last(int length)
    {
        var text = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));
        var clipped = Clipping.Clip(text);
        Assert.Equal(Clipping.MaxRawChars, clipped.Length);
        Assert.EndsWith(Clipping.Marker, clipped, StringComparison.Ordinal);
        Assert.StartsWith(clipped[..^Clipping.Marker.Length], text, StringComparison.Ordinal);
        Assert.Equal(clipped, Clipping.Clip(text.AsSpan()));
    }

    [Fact]
    public void A_rule_label_is_clipped_by_the_same_rule_to_the_label_limit()
    {
        var rule = new FirewallRule(3, null, "-A INPUT " + new string('x', 300), [], RuleAction.Drop);
        Assert.Equal(Clipping.Clip("rule 3: " + rule.Text, FirewallRule.MaxLabelLength), rule.Label);
        Assert.Equal(FirewallRule.MaxLabelLength, rule.Label.Length);
    }

    [Fact]
    public void A_limit_shorter_than_the_marker_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Clipping.Clip("abcdef", Clipping.Marker.Length - 1));
    }
}
