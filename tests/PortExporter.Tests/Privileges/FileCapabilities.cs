namespace PortExporter.Tests.Privileges;

/// <summary>Capability names (capabilities(7), lower case, without <c>cap_</c>) in the texts setcap and the tests use.</summary>
public static class FileCapabilities
{
    /// <summary>The capabilities of a cap_from_text(3) clause such as <c>cap_net_admin,cap_sys_ptrace+p</c>.</summary>
    public static string[] Parse(string text)
    {
        var names = text[..text.IndexOfAny(['+', '=', '-'])];
        return [.. names.Split(',').Select(n => n.Trim().Replace("cap_", string.Empty, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
    }

    /// <summary>The capability's bit number, as the kernel numbers it.</summary>
    public static int Number(string name) => name switch
    {
        "dac_read_search" => 2,
        "net_admin" => 12,
        "sys_ptrace" => 19,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a capability these tests know"),
    };
}
