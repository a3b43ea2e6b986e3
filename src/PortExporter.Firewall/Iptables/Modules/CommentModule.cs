namespace PortExporter.Firewall.Iptables.Modules;

/// <summary><c>-m comment --comment TEXT</c>: kept as the rule's comment, matches everything.</summary>
internal static class CommentModule
{
    public static ModuleOptionResult Read(ModuleContext context, string module, string option, bool negate) => option == "--comment"
        ? context.WithValue(text => context.Comment = text)
        : ModuleOptionResult.NotUnderstood;
}
