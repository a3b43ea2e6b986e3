using System.Buffers.Text;
using System.Text;

namespace PortExporter.Core.Selinux;

/// <summary>
/// Pure parser for one raw audit log line (auditd's RAW/ENRICHED log format: <c>[node=HOST ]type=TYPE
/// msg=audit(SECONDS.MILLIS:SERIAL): FIELDS</c>) that picks out SELinux AVC denials of the port permissions
/// <c>name_bind</c>, <c>name_connect</c> and <c>node_bind</c> on tcp and udp sockets. It works on the raw bytes and
/// allocates only for a denial it returns, so a million other lines cost no garbage.
/// </summary>
/// <remarks>
/// The AVC body is the kernel's <c>avc:  denied  { PERMS } for  pid=N comm="NAME" src=PORT|dest=PORT ...
/// scontext=CTX tcontext=CTX tclass=CLASS permissive=0|1</c>. The port is <c>src=</c> for name_bind and node_bind
/// and <c>dest=</c> for name_connect; <c>tclass</c> tcp_socket / udp_socket gives the protocol. Enriched logs append
/// interpreted fields after a 0x1D separator; those are ignored.
/// </remarks>
public static class AvcRecordParser
{
    public const string NameBind = "name_bind";
    public const string NameConnect = "name_connect";
    public const string NodeBind = "node_bind";

    /// <summary>The port permissions that are counted, in label order.</summary>
    public static IReadOnlyList<string> PortPermissions { get; } = [NameBind, NameConnect, NodeBind];

    private const byte GroupSeparator = 0x1D;

    /// <summary>Classifies <paramref name="line"/> and returns the denial when it is one for a watched port.</summary>
    /// <param name="line">One line without its newline.</param>
    /// <param name="isWatched">Filter applied before anything is allocated; null takes every port.</param>
    /// <param name="denial">The denial when the result is <see cref="AuditLineKind.Denial"/>.</param>
    public static AuditLineKind Parse(ReadOnlySpan<byte> line, Func<PortKey, bool>? isWatched, out AvcDenial? denial)
    {
        denial = null;
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Trim((byte)' ').IsEmpty)
        {
            return AuditLineKind.Other;
        }

        if (line.StartsWith("node="u8))
        {
            var space = line.IndexOf((byte)' ');
            if (space < 0)
            {
                return AuditLineKind.Malformed;
            }

            line = line[(space + 1)..];
        }

        if (!line.StartsWith("type="u8))
        {
            return AuditLineKind.Malformed;
        }

        if (!line.StartsWith("type=AVC "u8))
        {
            return AuditLineKind.Other;
        }

        var separator = line.IndexOf(GroupSeparator);
        if (separator >= 0)
        {
            line = line[..separator];
        }

        if (!TryParseHeader(line, out var timestamp, out var serial, out var bodyStart))
        {
            return AuditLineKind.Malformed;
        }

        var body = line[bodyStart..];
        var avc = body.IndexOf("avc:"u8);
        if (avc < 0)
        {
            return AuditLineKind.Malformed;
        }

        body = body[(avc + 4)..].TrimStart((byte)' ');
        if (body.StartsWith("granted"u8))
        {
            return AuditLineKind.Other;
        }

        if (!body.StartsWith("denied"u8))
        {
            return AuditLineKind.Malformed;
        }

        var open = body.IndexOf((byte)'{');
        var close = body.IndexOf((byte)'}');
        if (open < 0 || close < open)
        {
            return AuditLineKind.Malformed;
        }

        var permissionMask = PermissionMask(body[(open + 1)..close]);
        if (permissionMask == 0)
        {
            return AuditLineKind.Other;
        }

        var fields = AvcFields.Parse(body[(close + 1)..]);
        if (!fields.Valid || fields.TClass.IsEmpty || fields.SContext.IsEmpty)
        {
            return AuditLineKind.Malformed;
        }

        TransportProtocol protocol;
        if (fields.TClass.SequenceEqual("tcp_socket"u8))
        {
            protocol = TransportProtocol.Tcp;
        }
        else if (fields.TClass.SequenceEqual("udp_socket"u8))
        {
            protocol = TransportProtocol.Udp;
        }
        else
        {
            return AuditLineKind.Other;
        }

        var portField = (permissionMask & ConnectBit) != 0 && !fields.Dest.IsEmpty ? fields.Dest
            : !fields.Src.IsEmpty ? fields.Src
            : fields.Dest;
        if (portField.IsEmpty)
        {
            // A bind to port 0 (ephemeral) logs no port: nothing to attribute.
            return AuditLineKind.Other;
        }

        if (!Utf8Parser.TryParse(portField, out int port, out var consumed) || consumed != portField.Length || port is < 0 or > 65535)
        {
            return AuditLineKind.Malformed;
        }

        var sourceType = ContextType(fields.SContext);
        if (sourceType.IsEmpty)
        {
            return AuditLineKind.Malformed;
        }

        var key = new PortKey(port, protocol);
        if (isWatched is not null && !isWatched(key))
        {
            return AuditLineKind.UnwatchedDenial;
        }

        var targetType = ContextType(fields.TContext);
        int? pid = Utf8Parser.TryParse(fields.Pid, out int p, out var pidConsumed) && pidConsumed == fields.Pid.Length ? p : null;
        bool? permissive = fields.Permissive.SequenceEqual("1"u8) ? true : fields.Permissive.SequenceEqual("0"u8) ? false : null;
        denial = new AvcDenial(
            timestamp,
            serial,
            Permissions(permissionMask),
            key,
            Encoding.UTF8.GetString(sourceType),
            targetType.IsEmpty ? null : Encoding.UTF8.GetString(targetType),
            fields.Comm.IsEmpty ? null : Encoding.UTF8.GetString(fields.Comm),
            pid,
            permissive);
        return AuditLineKind.Denial;
    }

    /// <summary>The same for a string line (tests, one-off use).</summary>
    public static AuditLineKind Parse(string line, out AvcDenial? denial) =>
        Parse(Encoding.UTF8.GetBytes(line), null, out denial);

    private const int BindBit = 1;
    private const int ConnectBit = 2;
    private const int NodeBindBit = 4;

    private static int PermissionMask(ReadOnlySpan<byte> permissions)
    {
        var mask = 0;
        foreach (var range in permissions.Split((byte)' '))
        {
            var word = permissions[range];
            if (word.SequenceEqual("name_bind"u8))
            {
                mask |= BindBit;
            }
            else if (word.SequenceEqual("name_connect"u8))
            {
                mask |= ConnectBit;
            }
            else if (word.SequenceEqual("node_bind"u8))
            {
                mask |= NodeBindBit;
            }
        }

        return mask;
    }

    private static string[] Permissions(int mask) => mask switch
    {
        BindBit => [NameBind],
        ConnectBit => [NameConnect],
        NodeBindBit => [NodeBind],
        _ => [.. PortPermissions.Where((_, i) => (mask & (1 << i)) != 0)],
    };

    /// <summary><c>msg=audit(SECONDS.MILLIS:SERIAL):</c>; the body starts after it.</summary>
    private static bool TryParseHeader(ReadOnlySpan<byte> line, out DateTimeOffset timestamp, out ulong serial, out int bodyStart)
    {
        timestamp = default;
        serial = 0;
        bodyStart = 0;
        var at = line.IndexOf("msg=audit("u8);
        if (at < 0)
        {
            return false;
        }

        var rest = line[(at + 10)..];
        var close = rest.IndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        var stamp = rest[..close];
        var dot = stamp.IndexOf((byte)'.');
        var colon = stamp.IndexOf((byte)':');
        if (dot <= 0 || colon != dot + 4)
        {
            return false;
        }

        if (!Utf8Parser.TryParse(stamp[..dot], out long seconds, out var c1) || c1 != dot
            || !Utf8Parser.TryParse(stamp[(dot + 1)..colon], out int millis, out var c2) || c2 != colon - dot - 1
            || !Utf8Parser.TryParse(stamp[(colon + 1)..], out serial, out var c3) || c3 != stamp.Length - colon - 1
            || seconds is < 0 or > 253402300799L || millis is < 0 or > 999)
        {
            return false;
        }

        timestamp = DateTimeOffset.FromUnixTimeMilliseconds((seconds * 1000) + millis);
        bodyStart = at + 10 + close + 1;
        return true;
    }

    /// <summary>The type part of <c>user:role:type[:level]</c>, or empty.</summary>
    private static ReadOnlySpan<byte> ContextType(ReadOnlySpan<byte> context)
    {
        var first = context.IndexOf((byte)':');
        if (first < 0)
        {
            return default;
        }

        var afterRole = context[(first + 1)..];
        var second = afterRole.IndexOf((byte)':');
        if (second < 0)
        {
            return default;
        }

        var type = afterRole[(second + 1)..];
        var third = type.IndexOf((byte)':');
        return third < 0 ? type : type[..third];
    }

    /// <summary>The key=value fields after the permission set, the ones this parser needs.</summary>
    private ref struct AvcFields
    {
        public bool Valid;
        public ReadOnlySpan<byte> Pid;
        public ReadOnlySpan<byte> Comm;
        public ReadOnlySpan<byte> Src;
        public ReadOnlySpan<byte> Dest;
        public ReadOnlySpan<byte> SContext;
        public ReadOnlySpan<byte> TContext;
        public ReadOnlySpan<byte> TClass;
        public ReadOnlySpan<byte> Permissive;

        public static AvcFields Parse(ReadOnlySpan<byte> text)
        {
            var fields = new AvcFields { Valid = true };
            while (true)
            {
                text = text.TrimStart((byte)' ');
                if (text.IsEmpty)
                {
                    return fields;
                }

                var end = text.IndexOf((byte)' ');
                var token = end < 0 ? text : text[..end];
                var equals = token.IndexOf((byte)'=');
                if (equals > 0)
                {
                    var name = token[..equals];
                    var value = token[(equals + 1)..];
                    if (!value.IsEmpty && value[0] == (byte)'"')
                    {
                        // A quoted value (comm) may hold spaces: it runs to the closing quote.
                        var inner = text[(equals + 2)..];
                        var closing = inner.IndexOf((byte)'"');
                        if (closing < 0)
                        {
                            fields.Valid = false;
                            return fields;
                        }

                        value = inner[..closing];
                        end = equals + 2 + closing + 1;
                    }

                    fields.Assign(name, value);
                }

                if (end < 0 || end >= text.Length)
                {
                    return fields;
                }

                text = text[end..];
            }
        }

        private void Assign(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            if (name.SequenceEqual("pid"u8))
            {
                Pid = value;
            }
            else if (name.SequenceEqual("comm"u8))
            {
                Comm = value;
            }
            else if (name.SequenceEqual("src"u8))
            {
                Src = value;
            }
            else if (name.SequenceEqual("dest"u8))
            {
                Dest = value;
            }
            else if (name.SequenceEqual("scontext"u8))
            {
                SContext = value;
            }
            else if (name.SequenceEqual("tcontext"u8))
            {
                TContext = value;
            }
            else if (name.SequenceEqual("tclass"u8))
            {
                TClass = value;
            }
            else if (name.SequenceEqual("permissive"u8))
            {
                Permissive = value;
            }
        }
    }
}
