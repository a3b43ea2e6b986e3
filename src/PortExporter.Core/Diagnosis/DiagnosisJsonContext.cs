using System.Text.Json.Serialization;

namespace PortExporter.Core.Diagnosis;

/// <summary>Source-generated JSON for the report (no reflection, trimming- and AOT-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DiagnosisReport))]
public sealed partial class DiagnosisJsonContext : JsonSerializerContext;
