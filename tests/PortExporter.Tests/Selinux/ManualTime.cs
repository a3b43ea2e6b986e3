namespace PortExporter.Tests.Selinux;

/// <summary>A clock the test moves by hand (timers stay real).</summary>
internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
