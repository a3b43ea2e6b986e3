using Microsoft.Extensions.Hosting;
using PortExporter.Core.Probes;

namespace PortExporter.Hosting;

/// <summary>Runs the <see cref="ProbeScheduler"/> for as long as the exporter serves (the first round at start).</summary>
public sealed class ProbeScheduleService(ProbeScheduler scheduler) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Run(() => scheduler.RunAsync(stoppingToken), stoppingToken);
}
