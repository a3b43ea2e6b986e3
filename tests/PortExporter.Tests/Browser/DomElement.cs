using System.Text;

namespace PortExporter.Tests.Browser;

/// <summary>An element with its attributes (names lower-cased, values decoded) and children.</summary>
public sealed class DomElement(string name, IReadOnlyDictionary<string, string> attributes, DomElement? parent) : DomNode
{
    public string Name { get; } = name;

    public IReadOnlyDictionary<string, string> Attributes { get; } = attributes;

    public DomElement? Parent { get; } = parent;

    public List<DomNode> Children { get; } = [];

    public IEnumerable<DomElement> Elements => Children.OfType<DomElement>();

    public string? Id => Attributes.GetValueOrDefault("id");

    public IReadOnlyList<string> Classes => Attributes.TryGetValue("class", out var c) ? c.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

    public string Text
    {
        get
        {
            var text = new StringBuilder();
            AppendText(text);
            return text.ToString();
        }
    }

    public override void AppendText(StringBuilder text)
    {
        foreach (var child in Children)
        {
            child.AppendText(text);
        }
    }

    public IEnumerable<DomElement> Descendants()
    {
        foreach (var child in Elements)
        {
            yield return child;
            foreach (var d in child.Descendants())
            {
                yield return d;
            }
        }
    }

    public IEnumerable<DomElement> Descendants(string name) => Descendants().Where(e => e.Name == name);

    public DomElement ById(string id) =>
        Descendants().SingleOrDefault(e => e.Id == id) ?? throw new InvalidOperationException($"no element with id=\"{id}\"");

    public bool HasClass(string name) => Classes.Contains(name, StringComparer.Ordinal);

    public override string ToString() => $"<{Name}{string.Concat(Attributes.Select(a => $" {a.Key}=\"{a.Value}\""))}>";
}
