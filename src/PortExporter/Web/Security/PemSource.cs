namespace PortExporter.Web.Security;

/// <summary>
/// Where a PEM block comes from: a file (<c>cert_file</c>, resolved against the web config's folder) or inline
/// text (<c>cert</c>). <paramref name="Key"/>, <paramref name="Line"/> and <paramref name="Column"/> locate it in
/// the web config so that a certificate that cannot be loaded is reported where it was named.
/// </summary>
public sealed record PemSource(string? Path, string? Text, string Key, long Line, long Column)
{
    /// <summary>The file path, or "inline" for text given in the web config itself.</summary>
    public string Describe() => Path ?? "inline PEM";
}
