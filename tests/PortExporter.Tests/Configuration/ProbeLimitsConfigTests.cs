using PortExporter.Core.Configuration;

namespace PortExporter.Tests.Configuration;

/// <summary><c>probes.max_in_flight</c>, <c>probes.client_rate_limit</c>, <c>probes.interval</c> and <c>probes.timeout</c> against it.</summary>
public sealed class ProbeLimitsConfigTests
{
    [Fact]
    public void Without_the_keys_the_defaults_apply()
    {
        var probes = ConfigLoader.Parse("probes:\n  timeout: 1s\n", "ok.yml").Probes;

        Assert.Equal(ConfigDefaults.ProbeMaxInFlight, probes.MaxInFlight);
        Assert.Equal(TimeSpan.FromSeconds(15), probes.Interval);
        Assert.Equal(new ClientRateLimit(ConfigDefaults.ProbeClientInterval, ConfigDefaults.ProbeClientBurst), probes.ClientRateLimit);
    }

    [Fact]
    public void A_timeout_within_the_round_is_kept_and_the_default_is_no_error_with_a_short_interval()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1800), ConfigLoader.Parse("probes:\n  interval: 2s\n  timeout: 1800ms\n", "ok.yml").Probes.Timeout);
        // The default (2 s) is cut to the round's share by the round's deadline: not written down, not an error.
        Assert.Equal(ConfigDefaults.ProbeTimeout, ConfigLoader.Parse("probes:\n  interval: 1s\n", "ok.yml").Probes.Timeout);
    }

    [Fact]
    public void The_keys_are_read()
    {
        var probes = ConfigLoader.Parse("probes:\n  interval: 1m\n  max_in_flight: 8\n  client_rate_limit:\n    interval: 2s\n    burst: 5\n", "ok.yml").Probes;

        Assert.Equal(TimeSpan.FromMinutes(1), probes.Interval);
        Assert.Equal(8, probes.MaxInFlight);
        Assert.Equal(new ClientRateLimit(TimeSpan.FromSeconds(2), 5), probes.ClientRateLimit);
    }

    [Theory]
    [InlineData("probes:\n  max_in_flight: 0\n", 2, "probes.max_in_flight", "expected an integer 1-4096")]
    [InlineData("probes:\n  max_in_flight: 5000\n", 2, "probes.max_in_flight", "expected an integer 1-4096")]
    [InlineData("probes:\n  client_rate_limit:\n    burst: 0\n", 3, "probes.client_rate_limit.burst", "expected an integer 1-100000")]
    [InlineData("probes:\n  client_rate_limit:\n    interval: 0s\n", 3, "probes.client_rate_limit.interval", "expected a positive duration")]
    [InlineData("probes:\n  client_rate_limit:\n    period: 1s\n", 3, "probes.client_rate_limit.period", "unknown key")]
    [InlineData("probes:\n  client_rate_limit: 10\n", 2, "probes.client_rate_limit", "expected a mapping")]
    [InlineData("probes:\n  interval: 500ms\n", 2, "probes.interval", "expected a duration between 1s and 1h")]
    [InlineData("probes:\n  interval: 2h\n", 2, "probes.interval", "expected a duration between 1s and 1h")]
    [InlineData("probes:\n  interval: often\n", 2, "probes.interval", "expected a positive duration")]
    [InlineData("probes:\n  interval: 2s\n  timeout: 1900ms\n", 3, "probes.timeout", "expected at most 0.9 x probes.interval (1.8s for an interval of 2s)")]
    [InlineData("probes:\n  timeout: 14s\n", 2, "probes.timeout", "expected at most 0.9 x probes.interval (13.5s for an interval of 15s)")]
    public void Bad_values_fail_with_line_key_and_expectation(string yaml, int line, string key, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "bad.yml"));

        Assert.Equal(("bad.yml", line, key), (e.File, e.Line, e.Key));
        Assert.Contains(expected, e.Problem, StringComparison.Ordinal);
    }
}
