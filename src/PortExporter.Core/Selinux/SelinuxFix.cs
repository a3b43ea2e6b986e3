using System.Globalization;
using PortExporter.Core.Configuration;

namespace PortExporter.Core.Selinux;

/// <summary>The command that gives a port the SELinux type its service needs (semanage-port(8)).</summary>
public static class SelinuxFix
{
    /// <summary>Placeholder used when the needed type is not configured.</summary>
    public const string TypePlaceholder = "PORT_TYPE";

    /// <summary>
    /// <c>semanage port -a -t TYPE -p PROTO PORT</c>, or <c>-m</c> when the port already has its own entry (a
    /// single-port policy entry or local customisation, which <c>-a</c> refuses as "already defined"); a port
    /// covered only by a range takes <c>-a</c>. TYPE is the configured <c>selinux_type</c>, else a placeholder.
    /// </summary>
    public static string Command(PortSpec port, PortLabelTable table)
    {
        var label = table.Resolve(port.Key);
        var verb = label is not null && label.Low == port.Port && label.High == port.Port ? "-m" : "-a";
        var type = port.SelinuxType ?? TypePlaceholder;
        return string.Create(CultureInfo.InvariantCulture, $"semanage port {verb} -t {type} -p {port.Protocol.ToLabel()} {port.Port}");
    }
}
