namespace PortExporter.Tests.Browser;

/// <summary>One URL request in a Chromium net log.</summary>
/// <param name="Url">What was requested.</param>
/// <param name="NetworkIsolationKey">The top-frame and frame sites the request was made for (<c>http://127.0.0.1 http://127.0.0.1</c> for a page on loopback; <c>null null</c> for the browser's own requests).</param>
/// <param name="RequestType">Chromium's request type (<c>main frame</c>, <c>other</c>, ...).</param>
public sealed record NetLogRequest(Uri Url, string NetworkIsolationKey, string RequestType);
