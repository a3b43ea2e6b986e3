using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace PortExporter.Tests.Browser;

/// <summary>HTML parsed as a browser parses it (AngleSharp, HTML5), and the few queries the page tests share.</summary>
public static class HtmlDom
{
    private static readonly HtmlParser Parser = new();

    public static IDocument Parse(string html) => Parser.ParseDocument(html);

    /// <summary>The element with <paramref name="id"/>; fails the test when there is none.</summary>
    public static IElement ById(this IDocument document, string id) =>
        document.GetElementById(id) ?? throw new InvalidOperationException($"no element with id=\"{id}\"");

    /// <summary>The element's classes, in document order.</summary>
    public static string[] Classes(this IElement element) => [.. element.ClassList];

    /// <summary>The rows of the table's single body.</summary>
    public static IElement[] BodyRows(this IElement table) => [.. table.QuerySelectorAll("tbody").Single().Children];
}
