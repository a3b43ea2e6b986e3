using System.Text;

namespace PortExporter.Tests.Browser;

/// <summary>A node of <see cref="RenderedDom"/>.</summary>
public abstract class DomNode
{
    public abstract void AppendText(StringBuilder text);
}
