namespace PortExporter.Tests.Browser;

/// <summary>One request a page made, as Playwright saw it.</summary>
/// <param name="Url">What was requested.</param>
/// <param name="ResourceType">Playwright's resource type (<c>document</c>, <c>stylesheet</c>, <c>image</c>, ...).</param>
/// <param name="IsNavigation">Whether it navigated a frame (the page itself).</param>
/// <param name="Failure">Why it failed, or null when it got an answer.</param>
public sealed record PageRequest(Uri Url, string ResourceType, bool IsNavigation, string? Failure);
