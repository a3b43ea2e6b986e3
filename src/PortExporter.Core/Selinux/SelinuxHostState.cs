namespace PortExporter.Core.Selinux;

/// <summary>The host's SELinux state: selinuxfs (what the kernel does now) and the config file (what boot asks for).</summary>
/// <param name="Enabled">selinuxfs is mounted (its <c>enforce</c> file exists): a policy is loaded.</param>
/// <param name="CurrentMode">From selinuxfs <c>enforce</c>; <see cref="SelinuxMode.Disabled"/> when not mounted.</param>
/// <param name="Config">The parsed <c>/etc/selinux/config</c>, null when absent or unreadable.</param>
/// <param name="ConfigError">Why the config file could not be used, when it exists but is broken.</param>
public sealed record SelinuxHostState(bool Enabled, SelinuxMode CurrentMode, SelinuxConfigFile? Config, string? ConfigError = null);
