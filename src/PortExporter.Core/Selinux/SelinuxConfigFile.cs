namespace PortExporter.Core.Selinux;

/// <summary>What <c>/etc/selinux/config</c> (selinux_config(5)) asks for at the next boot.</summary>
/// <param name="Mode">The <c>SELINUX=</c> value, null when the key is absent.</param>
/// <param name="PolicyType">The <c>SELINUXTYPE=</c> value (the policy directory name), null when absent.</param>
public sealed record SelinuxConfigFile(SelinuxMode? Mode, string? PolicyType)
{
    /// <summary>libselinux's policy name when <c>SELINUXTYPE=</c> is missing.</summary>
    public const string DefaultPolicyType = "targeted";

    /// <summary>The policy directory name in effect: <see cref="PolicyType"/> or libselinux's default.</summary>
    public string EffectivePolicyType => PolicyType ?? DefaultPolicyType;
}
