using System.Runtime.InteropServices;
using PortExporter.Core.Baseline;

namespace PortExporter.Hosting;

/// <summary>Reloads the config and the baseline file on SIGHUP (and on POST /-/reload through <see cref="Reload"/>).</summary>
public sealed class ReloadCoordinator(ConfigHolder holder, BaselineSource? baseline = null) : IDisposable
{
    private PosixSignalRegistration? _sighup;

    /// <summary>Starts listening for SIGHUP.</summary>
    public void ListenForSighup() =>
        _sighup ??= PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            Reload();
        });

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
}
