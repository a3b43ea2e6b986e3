using Microsoft.Extensions.Logging;
using PortExporter.Core.Configuration;

namespace PortExporter.Hosting;

/// <summary>
/// The config in force. A reload (SIGHUP, POST /-/reload) reads the file again; a bad file keeps the old
/// config and records the failure. Thread-safe: readers see one whole config or the other.
/// </summary>
public sealed partial class ConfigHolder
{
    private readonly string? _path;
    private readonly ILogger<ConfigHolder> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _reloadGate = new();
    private volatile ExporterConfig _current;

    public ConfigHolder(ExporterSettings settings, ExporterConfig initial, TimeProvider time, ILogger<ConfigHolder> logger)
    {
        _path = settings.ConfigFile;
        _current = initial;
        _time = time;
        _logger = logger;
        LastReloadSuccessful = true;
        LastReloadSuccessAt = time.GetUtcNow();
    }

    /// <summary>Raised after a successful reload with the new config.</summary>
    public event Action<ExporterConfig>? Reloaded;

    public ExporterConfig Current => _current;

    public bool LastReloadSuccessful { get; private set; }

    public DateTimeOffset LastReloadSuccessAt { get; private set; }

    /// <summary>Reads the file again. Returns null on success, else the error (the old config stays).</summary>
    public string? Reload()
    {
        lock (_reloadGate)
        {
            if (_path is null)
            {
                LastReloadSuccessful = true;
                LastReloadSuccessAt = _time.GetUtcNow();
                return null;
            }

            try
            {
                var next = ConfigLoader.Load(_path);
                _current = next;
                LastReloadSuccessful = true;
                LastReloadSuccessAt = _time.GetUtcNow();
                LogReloaded(_logger, _path, next.Ports.Count);
                Reloaded?.Invoke(next);
                return null;
            }
            catch (ConfigException e)
            {
                LastReloadSuccessful = false;
                LogReloadFailed(_logger, e.Message);
                return e.Message;
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "config reloaded from {File}: {Ports} watched ports")]
    private static partial void LogReloaded(ILogger logger, string file, int ports);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "config reload failed, keeping the previous config: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string error);
}
