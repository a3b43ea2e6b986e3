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

    /// <summary>Reloads now; returns null on success, else the error.</summary>
    public string? Reload() => holder.Reload();

    public void Dispose() => _sighup?.Dispose();
}
