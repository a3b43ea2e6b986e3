namespace PortExporter.Core.Probes;

/// <summary>The answer to one <c>/probe</c> request, for the web host to write as is.</summary>
/// <param name="StatusCode">200, or 400 for a request this instance will not probe.</param>
/// <param name="ContentType">The Content-Type header value.</param>
/// <param name="Body">The body: exposition text, the step log, or a short error message.</param>
public sealed record ProbeResponse(int StatusCode, string ContentType, string Body)
{
    public const string ExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string TextContentType = "text/plain; charset=utf-8";

    public static ProbeResponse BadRequest(string message) => new(400, TextContentType, message + "\n");
}
