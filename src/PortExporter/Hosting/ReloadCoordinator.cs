using System.Runtime.InteropServices;
using PortExporter.Core.Baseline;

namespace PortExporter.Hosting;

/// <summary>Reloads the config and the baseline file on SIGHUP (and on POST /-/reload through <see cref="Reload"/>).</summary>
public sealed partial class ReloadCoordinator(ConfigHolder holder, BaselineSource? baseline = null) : IDisposable
{
    private const int Sighup = 1;
    private static readonly nint SigDfl = 0;
    private static readonly nint SigIgn = 1;

    private PosixSignalRegistration? _sighup;

    /// <summary>
    /// Starts listening for SIGHUP. A process started with SIGHUP ignored (<c>nohup</c>, some supervisors) would
    /// otherwise keep ignoring it: the runtime installs no handler over an inherited SIG_IGN. SIGHUP means "reload"
    /// here, as for Prometheus, so the inherited SIG_IGN is reset to the default first, then the handler installed.
    /// </summary>
    public void ListenForSighup()
    {
        if (_sighup is not null)
        {
            return;
        }

        if (InheritedIgnore())
        {
            _ = Signal(Sighup, SigDfl);
        }

        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Reload();
        });
    }

    /// <summary>
    /// Reloads now; false when the config file is invalid (the reason is logged, the previous config stays) or the
    /// baseline file is (logged, drift unknown until a good one is loaded).
    /// </summary>
    public bool Reload()
    {
        var config = holder.Reload();
        var loaded = baseline?.Load();
        return config is null && loaded is null;
    }

    public void Dispose() => _sighup?.Dispose();

    /// <summary>True when SIGHUP's disposition is SIG_IGN: the handler is the first field of struct sigaction.</summary>
    private static bool InheritedIgnore()
    {
        var previous = Marshal.AllocHGlobal(256);
        try
        {
            return SigAction(Sighup, 0, previous) == 0 && Marshal.ReadIntPtr(previous) == SigIgn;
        }
        finally
        {
            Marshal.FreeHGlobal(previous);
        }
    }

    [LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static partial int SigAction(int signal, nint action, nint previous);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
