using System.Buffers.Text;
using System.Runtime.InteropServices;
using Prometheus;

namespace PortExporter.Core.Metrics;

/// <summary>
/// The exporter's own process and .NET series, with the names, help and types of prometheus-net's
/// <c>DotNetStats</c> (<c>process_cpu_seconds_total</c>, <c>process_start_time_seconds</c>,
/// <c>process_virtual_memory_bytes</c>, <c>process_working_set_bytes</c>, <c>process_private_memory_bytes</c>,
/// <c>process_open_handles</c>, <c>process_num_threads</c>, <c>dotnet_total_memory_bytes</c>,
/// <c>dotnet_collection_count_total</c>), read at each scrape from one <c>getrusage</c>, one read of
/// <c>/proc/self/status</c> and a count of <c>/proc/self/fd</c> instead of a refreshed
/// <see cref="System.Diagnostics.Process"/>, which read every thread's stat file and cost most of a scrape's
/// time outside the collectors. Values: CPU from getrusage (user + system), memory from VmSize, VmRSS and VmData
/// (what <see cref="System.Diagnostics.Process"/> reports on Linux), threads from Threads. Thread-safe (the
/// registry runs the update before each export).
/// </summary>
public sealed partial class RuntimeMetrics
{
    private const int StatusBufferLength = 4096;

    private readonly Counter _collections;
    private readonly Counter.Child[] _collectionsByGeneration;
    private readonly Counter _cpu;
    private readonly Gauge _virtual;
    private readonly Gauge _workingSet;
    private readonly Gauge _private;
    private readonly Gauge _handles;
    private readonly Gauge _threads;
    private readonly Gauge _totalMemory;
    private readonly Lock _gate = new();
    private readonly byte[] _status = new byte[StatusBufferLength];

    private RuntimeMetrics(IMetricFactory factory)
    {
        _collections = factory.CreateCounter("dotnet_collection_count_total", "GC collection count", ["generation"]);
        _collectionsByGeneration = [.. Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => _collections.WithLabels(g.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
        var start = factory.CreateGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.");
        _cpu = factory.CreateCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
        _virtual = factory.CreateGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.");
        _workingSet = factory.CreateGauge("process_working_set_bytes", "Process working set");
        _private = factory.CreateGauge("process_private_memory_bytes", "Process private memory size");
        _handles = factory.CreateGauge("process_open_handles", "Number of open handles");
        _threads = factory.CreateGauge("process_num_threads", "Total number of threads");
        _totalMemory = factory.CreateGauge("dotnet_total_memory_bytes", "Total known allocated memory");

        using var self = System.Diagnostics.Process.GetCurrentProcess();
        start.Set((self.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds);
    }

    /// <summary>Registers the series in <paramref name="registry"/> and updates them before each collection of it.</summary>
    public static RuntimeMetrics Register(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var metrics = new RuntimeMetrics(Prometheus.Metrics.WithCustomRegistry(registry));
        registry.AddBeforeCollectCallback(metrics.Update);
        metrics.Update();
        return metrics;
    }

    /// <summary>Reads the current values.</summary>
    public void Update()
    {
        lock (_gate)
        {
            for (var generation = 0; generation < _collectionsByGeneration.Length; generation++)
            {
                _collectionsByGeneration[generation].IncTo(GC.CollectionCount(generation));
            }

            _totalMemory.Set(GC.GetTotalMemory(forceFullCollection: false));
            if (GetRusage(0, out var usage) == 0)
            {
                _cpu.IncTo(usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6));
            }

            ReadStatus();
            _handles.Set(CountOpenFiles());
        }
    }

    /// <summary>VmSize, VmRSS, VmData and Threads of /proc/self/status.</summary>
    private void ReadStatus()
    {
        int length;
        try
        {
            using var handle = File.OpenHandle("/proc/self/status");
            length = RandomAccess.Read(handle, _status, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        ReadOnlySpan<byte> text = _status.AsSpan(0, length);
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            var line = end < 0 ? text : text[..end];
            text = end < 0 ? [] : text[(end + 1)..];
            if (line.StartsWith("VmSize:"u8))
            {
                _virtual.Set(Kilobytes(line) * 1024);
            }
            else if (line.StartsWith("VmRSS:"u8))
            {
                _workingSet.Set(Kilobytes(line) * 1024);
            }
            else if (line.StartsWith("VmData:"u8))
            {
                _private.Set(Kilobytes(line) * 1024);
            }
            else if (line.StartsWith("Threads:"u8))
            {
                _threads.Set(Kilobytes(line));
            }
        }
    }

    /// <summary>The number after the colon of a status line ("VmRSS:	  1916 kB" is 1916).</summary>
    private static double Kilobytes(ReadOnlySpan<byte> line)
    {
        var value = line[(line.IndexOf((byte)':') + 1)..].TrimStart(" \t"u8);
        return Utf8Parser.TryParse(value, out long number, out _) ? number : double.NaN;
    }

    private static int CountOpenFiles()
    {
        try
        {
            return new System.IO.Enumeration.FileSystemEnumerable<byte>("/proc/self/fd", (ref _) => 0).Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRusage(int who, out Rusage usage);

    /// <summary>struct rusage: the two timevals, then 14 longs this class does not read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
#pragma warning disable CS0169, IDE0051 // the kernel writes the rest of the struct
        private long _r0, _r1, _r2, _r3, _r4, _r5, _r6, _r7, _r8, _r9, _r10, _r11, _r12, _r13;
#pragma warning restore CS0169, IDE0051
    }
}
