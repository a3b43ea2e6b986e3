using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using PortExporter.Hosting;

namespace PortExporter.Logging;

/// <summary>Configures logging from --log.level and --log.format: to stderr, logfmt or JSON.</summary>
public static class LoggingSetup
{
    public static ILoggingBuilder AddExporterLogging(this ILoggingBuilder logging, LogLevel level, LogFormat format)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter("Microsoft", level > LogLevel.Warning ? level : LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", level > LogLevel.Information ? level : LogLevel.Information);
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            logging.AddConsole(o => o.FormatterName = LogfmtConsoleFormatter.FormatterName);
            // Registered directly: AddConsoleFormatter<,> binds options through reflection (not trim/AOT safe),
            // and this formatter has no options.
            logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, LogfmtConsoleFormatter>());
        }

        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
