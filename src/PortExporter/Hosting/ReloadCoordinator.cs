using System.Runtime.InteropServices;

namespace PortExporter.Hosting;

/// <summary>Reloads the config on SIGHUP (and on POST /-/reload through <see cref="Reload"/>).</summary>
public sealed class ReloadCoordinator(ConfigHolder holder) : IDisposable
{
    private PosixSignalRegistration? _sighup;

    /// <summary>Starts listening for SIGHUP.</summary>
    public void ListenForSighup() =>
        _sighup ??= PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            holder.Reload();
        });

    /// <summary>Reloads now; false when the file is invalid (the reason is logged, the previous config stays).</summary>
    public bool Reload() => holder.Reload() is null;

    public void Dispose() => _sighup?.Dispose();
}
