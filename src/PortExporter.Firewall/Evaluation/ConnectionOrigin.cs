namespace PortExporter.Firewall.Evaluation;

/// <summary>Where a simulated connection comes from: the <c>source</c> label.</summary>
public enum ConnectionOrigin
{
    /// <summary>An outside client, arriving on the outside interface.</summary>
    Outside,

    /// <summary>This host itself, over loopback.</summary>
    Inside,
}

/// <summary>Label values of <see cref="ConnectionOrigin"/>.</summary>
public static class ConnectionOriginNames
{
    public static string ToLabel(this ConnectionOrigin origin) => origin == ConnectionOrigin.Inside ? "inside" : "outside";
}
