using System.Diagnostics;
using System.Globalization;
using System.Net;
using PortExporter.Core.Configuration;
using PortExporter.Tests.Host;

namespace PortExporter.Tests.Collection;

/// <summary>
/// Scrapes in a burst must not each run a collection (each one reads the host and connects to every watched service):
/// a collection younger than <c>web.min_collection_interval</c> is reused, and concurrent scrapes share the one in
/// flight.
/// </summary>
public sealed class ScrapeBurstTests : IAsyncLifetime
{
    private const int Scrapes = 200;
    private ExporterHost? _host;
    private HttpClient? _http;

    public async Task InitializeAsync()
    {
        _host = await ExporterHost.StartAsync("probes:\n  enabled: false\nports:\n  - name: web\n    port: 8080\n");
        _http = _host.Http;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sequential_scrapes_reuse_a_collection_younger_than_the_minimum_interval()
    {
        var before = Collections(await _http!.GetStringAsync("/metrics"));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Scrapes - 1; i++)
        {
            using var response = await _http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var last = await _http.GetStringAsync("/metrics");
        var elapsed = clock.Elapsed;
        var collections = Collections(last) - before;

        // One collection may start per interval that has begun since the first scrape's: the bound grows with the
        // time the burst took, so a slow machine raises it rather than failing the test.
        var allowed = Math.Floor(elapsed / ConfigDefaults.MinCollectionInterval) + 1;
        Assert.True(collections <= allowed, $"{collections} collections for {Scrapes} scrapes in {elapsed.TotalSeconds:0.00} s; at most {allowed} allowed");
    }

    [Fact]
    public async Task Concurrent_scrapes_share_one_collection()
    {
        var before = Collections(await _http!.GetStringAsync("/metrics"));
        var clock = Stopwatch.StartNew();
        var bodies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _http.GetStringAsync("/metrics")));
        var elapsed = clock.Elapsed;
        var collections = bodies.Max(Collections) - before;
        var allowed = Math.Floor(elapsed / ConfigDefaults.MinCollectionInterval) + 1;
        Assert.True(collections <= allowed, $"{collections} collections for 50 concurrent scrapes in {elapsed.TotalSeconds:0.00} s; at most {allowed} allowed");
    }

    private static double Collections(string exposition)
    {
        var line = exposition.Split('\n').Single(l => l.StartsWith("port_exporter_collections_total ", StringComparison.Ordinal));
        return double.Parse(line["port_exporter_collections_total ".Length..], CultureInfo.InvariantCulture);
    }
}
