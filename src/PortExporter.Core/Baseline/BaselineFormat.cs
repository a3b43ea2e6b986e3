namespace PortExporter.Core.Baseline;

/// <summary>The baseline file's vocabulary: its version, its keys and its placeholder words, in one place.</summary>
public static class BaselineFormat
{
    /// <summary>The format this build writes and the only one it reads (2: a ruleset's named sets and their members).</summary>
    public const int Version = 2;

    /// <summary>Largest baseline file read (bounded work); a real host's file is a few kilobytes per port.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>Evidence that was not collected (its collector failed or is disabled).</summary>
    public const string Unknown = "unknown";

    /// <summary>Collected and empty: no port type, no owner, no unit.</summary>
    public const string None = "none";

    /// <summary>The verdict sources, in file order.</summary>
    public const string Outside = "outside";

    public const string Inside = "inside";

    public const string KeyFormatVersion = "format_version";
    public const string KeyHost = "host";
    public const string KeyRulesets = "rulesets";
    public const string KeyPorts = "ports";
    public const string KeyDigest = "digest";
    public const string KeyBackend = "backend";
    public const string KeySha256 = "sha256";
    public const string KeyRules = "rules";
    public const string KeySets = "sets";
    public const string KeySet = "set";
    public const string KeyElements = "elements";
    public const string KeyPort = "port";
    public const string KeyService = "service";
    public const string KeyExpose = "expose";
    public const string KeyOrigin = "origin";
    public const string KeyListeners = "listeners";
    public const string KeyAddress = "address";
    public const string KeyScope = "scope";
    public const string KeyProcess = "process";
    public const string KeyUnit = "unit";
    public const string KeyFirewall = "firewall";
    public const string KeySource = "source";
    public const string KeyVerdict = "verdict";
    public const string KeyChain = "chain";
    public const string KeyRule = "rule";
    public const string KeySelinuxType = "selinux_type";
    public const string KeyPath = "path";

    /// <summary>The top-level keys, in file order.</summary>
    public static readonly string[] TopKeys = [KeyFormatVersion, KeyHost, KeyRulesets, KeyPorts, KeyDigest];

    public static readonly string[] RulesetKeys = [KeyBackend, KeySha256, KeyRules, KeySets];

    public static readonly string[] SetKeys = [KeySet, KeySha256, KeyElements];

    public static readonly string[] PortKeys = [KeyPort, KeyService, KeyExpose, KeyOrigin, KeyListeners, KeyUnit, KeyFirewall, KeySelinuxType, KeyPath];

    public static readonly string[] ListenerKeys = [KeyAddress, KeyScope, KeyProcess];

    public static readonly string[] VerdictKeys = [KeySource, KeyVerdict, KeyChain, KeyRule];
}
