namespace PortExporter.Cli;

/// <summary>Process exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Success; for diagnose: every watched port is healthy.</summary>
    public const int Ok = 0;

    /// <summary>diagnose: at least one watched port is not ok. baseline --check: the host drifted. serve: failed while running.</summary>
    public const int Unhealthy = 1;

    /// <summary>Bad usage, bad config or (baseline --check) a bad baseline file.</summary>
    public const int Usage = 2;
}
