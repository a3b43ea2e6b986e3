using System.Net;

namespace PortExporter.Tests.Browser;

/// <summary>
/// A small reader for serialized HTML as Chromium's <c>--dump-dom</c> writes it (and as the report renders it):
/// double-quoted attributes, entities for markup characters, void elements unclosed. It builds a tree to query,
/// and throws <see cref="FormatException"/> with the offset on anything it does not understand.
/// </summary>
public static class RenderedDom
{
    private static readonly HashSet<string> Void = new(StringComparer.Ordinal)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.Ordinal) { "script", "style", "textarea", "title" };

    public static DomElement Parse(string html)
    {
        var root = new DomElement("#document", new Dictionary<string, string>(StringComparer.Ordinal), null);
        var current = root;
        var i = 0;
        while (i < html.Length)
        {
            if (html[i] != '<')
            {
                var end = html.IndexOf('<', i);
                end = end < 0 ? html.Length : end;
                current.Children.Add(new DomText(WebUtility.HtmlDecode(html[i..end])));
                i = end;
            }
            else if (html.AsSpan(i).StartsWith("<!--"))
            {
                i = Skip(html, i, "-->");
            }
            else if (html.AsSpan(i).StartsWith("<!"))
            {
                i = Skip(html, i, ">");
            }
            else if (html.AsSpan(i).StartsWith("</"))
            {
                var close = html.IndexOf('>', i);
                var name = close < 0 ? throw new FormatException($"unterminated end tag at offset {i}") : html[(i + 2)..close].Trim().ToLowerInvariant();
                var open = current;
                while (open is not null && open.Name != name)
                {
                    open = open.Parent;
                }

                current = open?.Parent ?? throw new FormatException($"end tag </{name}> at offset {i} closes nothing");
                i = close + 1;
            }
            else
            {
                var (element, next, selfClosed) = StartTag(html, i, current);
                current.Children.Add(element);
                i = next;
                if (RawText.Contains(element.Name))
                {
                    var close = html.IndexOf($"</{element.Name}", i, StringComparison.OrdinalIgnoreCase);
                    if (close < 0)
                    {
                        throw new FormatException($"<{element.Name}> at offset {i} is never closed");
                    }

                    var raw = html[i..close];
                    element.Children.Add(new DomText(element.Name is "title" or "textarea" ? WebUtility.HtmlDecode(raw) : raw));
                    i = Skip(html, close, ">");
                }
                else if (!selfClosed && !Void.Contains(element.Name))
                {
                    current = element;
                }
            }
        }

        return root;
    }

    private static (DomElement Element, int Next, bool SelfClosed) StartTag(string html, int start, DomElement parent)
    {
        var i = start + 1;
        var name = ReadName(html, ref i).ToLowerInvariant();
        if (name.Length == 0)
        {
            throw new FormatException($"tag without a name at offset {start}");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            while (i < html.Length && char.IsWhiteSpace(html[i]))
            {
                i++;
            }

            if (i >= html.Length)
            {
                throw new FormatException($"unterminated <{name}> at offset {start}");
            }

            if (html[i] == '>')
            {
                return (new DomElement(name, attributes, parent), i + 1, false);
            }

            if (html.AsSpan(i).StartsWith("/>"))
            {
                return (new DomElement(name, attributes, parent), i + 2, true);
            }

            var attribute = ReadName(html, ref i).ToLowerInvariant();
            if (attribute.Length == 0)
            {
                throw new FormatException($"unexpected '{html[i]}' in <{name}> at offset {i}");
            }

            var value = string.Empty;
            if (i < html.Length && html[i] == '=')
            {
                if (i + 1 >= html.Length || html[i + 1] != '"')
                {
                    throw new FormatException($"attribute {attribute} of <{name}> at offset {i} is not double-quoted");
                }

                var close = html.IndexOf('"', i + 2);
                if (close < 0)
                {
                    throw new FormatException($"attribute {attribute} of <{name}> at offset {i} is never closed");
                }

                value = WebUtility.HtmlDecode(html[(i + 2)..close]);
                i = close + 1;
            }

            attributes[attribute] = value;
        }
    }

    private static string ReadName(string html, ref int i)
    {
        var start = i;
        while (i < html.Length && (char.IsLetterOrDigit(html[i]) || html[i] is '-' or '_' or ':'))
        {
            i++;
        }

        return html[start..i];
    }

    private static int Skip(string html, int from, string terminator)
    {
        var end = html.IndexOf(terminator, from, StringComparison.Ordinal);
        return end < 0 ? throw new FormatException($"unterminated markup at offset {from}") : end + terminator.Length;
    }
}
