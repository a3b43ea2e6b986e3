using AngleSharp.Dom;

namespace PortExporter.Tests.Browser;

/// <summary>A page after the browser loaded it: its DOM, serialized by the browser and parsed again, and every request it made.</summary>
/// <param name="Html">The DOM as the browser serialized it.</param>
/// <param name="Requests">Every request the page made while loading, in order.</param>
public sealed record RenderedPage(string Html, IReadOnlyList<PageRequest> Requests)
{
    public IDocument Dom { get; } = HtmlDom.Parse(Html);
}
