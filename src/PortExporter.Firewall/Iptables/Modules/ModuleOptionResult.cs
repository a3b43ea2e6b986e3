namespace PortExporter.Firewall.Iptables.Modules;

/// <summary>What a match module made of one of its options.</summary>
internal enum ModuleOptionOutcome
{
    /// <summary>Read: its matches (or an <c>UnknownMatch</c> for a value not understood) are added.</summary>
    Done,

    /// <summary>Not an option this module knows: the caller skips its values and the module becomes unknown.</summary>
    NotUnderstood,

    /// <summary>The line is broken (an option without its value): <see cref="ModuleOptionResult.Problem"/> says why.</summary>
    Broken,
}

/// <summary>The outcome of reading one module option, with the problem when the line is broken.</summary>
internal readonly record struct ModuleOptionResult(ModuleOptionOutcome Outcome, string? Problem = null)
{
    public static ModuleOptionResult Done { get; } = new(ModuleOptionOutcome.Done);

    public static ModuleOptionResult NotUnderstood { get; } = new(ModuleOptionOutcome.NotUnderstood);

    public static ModuleOptionResult Broken(string problem) => new(ModuleOptionOutcome.Broken, problem);
}
