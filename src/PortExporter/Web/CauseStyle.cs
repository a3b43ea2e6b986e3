using PortExporter.Core.Diagnosis;

namespace PortExporter.Web;

/// <summary>How the HTML report shows one cause: its colour and the case's root-cause hypothesis it stands for.</summary>
/// <param name="Cause">The cause.</param>
/// <param name="Hypothesis">The case's hypothesis letter (A firewall .. E NAT), or null for <c>ok</c> and <c>unknown</c>.</param>
/// <param name="HypothesisTitle">The hypothesis in the case's words, or null.</param>
/// <param name="Meaning">What the exporter saw when it names this cause.</param>
/// <param name="Colour">The badge background, a CSS hex colour (<c>#rrggbb</c>).</param>
public sealed record CauseStyle(Cause Cause, string? Hypothesis, string? HypothesisTitle, string Meaning, string Colour)
{
    /// <summary>The cause's label word, which is also its CSS class.</summary>
    public string Label => Cause.ToLabel();
}
