using System.Text;

namespace PortExporter.Tests.Browser;

/// <summary>A text node, entities decoded.</summary>
public sealed class DomText(string text) : DomNode
{
    public string Text { get; } = text;

    public override void AppendText(StringBuilder text) => text.Append(Text);
}
