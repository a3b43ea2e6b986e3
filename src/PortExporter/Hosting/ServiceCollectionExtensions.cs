using Microsoft.Extensions.DependencyInjection;
using PortExporter.Core;
using PortExporter.Core.Backend;
using PortExporter.Core.Baseline;
using PortExporter.Core.Collection;
using PortExporter.Core.Commands;
using PortExporter.Core.Configuration;
using PortExporter.Core.Metrics;
using PortExporter.Core.Firewall;
using PortExporter.Core.Network;
using PortExporter.Core.Probes;
using PortExporter.Core.Processes;
using PortExporter.Core.Selinux;
using PortExporter.Core.Sockets;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace PortExporter.Hosting;

/// <summary>All of the exporter's wiring, in one place.</summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddPortExporter(this IServiceCollection services, ExporterSettings settings, ExporterConfig config)
    {
        services.AddSingleton(settings);
        services.AddSingleton(settings.Paths);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ConfigHolder(settings, config, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ConfigHolder>>()));
        services.AddSingleton<ICommandRunner>(_ => new ProcessCommandRunner(settings.Commands)); // built by the container, so disposed (children killed) at shutdown
        services.AddSingleton<WatchedPortResolver>();

        // Probes: this host's own, remote vantages, and the /probe endpoint (configured targets only).
        services.AddSingleton(ProbeNetwork.Host);
        services.AddSingleton(sp =>
        {
            var holder = sp.GetRequiredService<ConfigHolder>();
            return new ProbeGate(() => holder.Current.Probes.MaxInFlight);
        });
        services.AddSingleton<TcpProber>();
        services.AddSingleton<UdpProber>();
        services.AddSingleton(sp => new RemoteVantageClient(
            new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ProbeRequestHandler>();

        // The registry: our series plus the .NET process metrics.
        var registry = Metrics.NewCustomRegistry();
        RuntimeMetrics.Register(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        services.AddSingleton(registry);
        services.AddSingleton<IMetricFactory>(factory);

        // Evidence sources: the host facts, then the per-port evidence (see EvidenceCollection for the stages).
        services.AddSingleton<NetworkCollector>();
        services.AddSingleton(sp => new SocketCollector(sp.GetRequiredService<ILogger<SocketCollector>>()));
        services.AddSingleton<ProcessCollector>();
        services.AddSingleton<FirewallCollector>();
        services.AddSingleton(sp => new SelinuxCollector(sp.GetRequiredService<ICommandRunner>(), sp.GetRequiredService<ILogger<SelinuxCollector>>()));
        services.AddSingleton<IProbeRunner, ProbeRunner>();
        services.AddSingleton(sp => new ProbeCollector(sp.GetRequiredService<IProbeRunner>(), sp.GetService<ProbeScheduler>()));
        services.AddSingleton<BackendCollector>();
        services.AddSingleton(sp => new EvidenceSources(
            sp.GetRequiredService<NetworkCollector>(),
            sp.GetRequiredService<SocketCollector>(),
            sp.GetRequiredService<ProcessCollector>(),
            sp.GetRequiredService<FirewallCollector>(),
            sp.GetRequiredService<SelinuxCollector>(),
            sp.GetRequiredService<ProbeCollector>(),
            sp.GetRequiredService<BackendCollector>()));
        services.AddSingleton(settings.Collectors);

        // One metrics writer per evidence source.
        services.AddSingleton<IMetricsWriter, SocketMetrics>();
        services.AddSingleton<IMetricsWriter, ProcessMetrics>();
        services.AddSingleton<IMetricsWriter, FirewallMetrics>();
        services.AddSingleton<IMetricsWriter, SelinuxMetrics>();
        services.AddSingleton<IMetricsWriter, ProbeMetrics>();
        services.AddSingleton<IMetricsWriter, IntentMetrics>();
        services.AddSingleton<IMetricsWriter, BackendMetrics>();
        services.AddSingleton(sp => new BaselineSource(settings.BaselineFile, settings.Paths, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BaselineSource>>()));
        services.AddSingleton<IMetricsWriter, BaselineMetrics>();
        services.AddSingleton<DiagnosisMetrics>();
        services.AddSingleton<Core.Timeline.EvidenceTimeline>();
        services.AddSingleton(sp => new Core.Timeline.TimelineStateFile(settings.StoragePath, sp.GetRequiredService<ILogger<Core.Timeline.TimelineStateFile>>()));
        services.AddSingleton<TimelineMetrics>();
        services.AddSingleton<ExporterMetrics>();

        services.AddSingleton<EvidenceCollection>();
        services.AddSingleton<EvidenceService>();
        services.AddSingleton(sp =>
        {
            var holder = sp.GetRequiredService<ConfigHolder>();
            var resolver = sp.GetRequiredService<WatchedPortResolver>();
            holder.Reloaded += _ => resolver.Reset();
            return new ReloadCoordinator(holder, sp.GetRequiredService<BaselineSource>());
        });
        return services;
    }

    /// <summary>
    /// Probes on their own schedule (the serving exporter): collections read the latest round instead of probing,
    /// and a reload starts a round with the new config. Without it (the one-shot <c>diagnose</c> verb) a collection probes itself.
    /// </summary>
    public static IServiceCollection AddProbeSchedule(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var holder = sp.GetRequiredService<ConfigHolder>();
            var scheduler = new ProbeScheduler(
                sp.GetRequiredService<IProbeRunner>(),
                () => holder.Current,
                sp.GetRequiredService<CollectorSwitches>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ProbeScheduler>>());
            holder.Reloaded += _ => scheduler.Wake();
            return scheduler;
        });
        services.AddHostedService<ProbeScheduleService>();
        return services;
    }
}
