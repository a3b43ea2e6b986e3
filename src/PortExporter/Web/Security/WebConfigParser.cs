using System.Globalization;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using PortExporter.Core.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PortExporter.Web.Security;

/// <summary>
/// Pure parser of the <c>--web.config.file</c> in the exporter-toolkit format. Unknown keys, wrong types, values
/// outside the documented sets and inconsistent combinations are a <see cref="ConfigException"/> naming the file,
/// line, column and key. No file is opened: certificate paths are resolved against the web config's folder and
/// loaded later by <see cref="WebConfigLoader"/>. Error messages never repeat a password hash or a private key.
/// </summary>
public static partial class WebConfigParser
{
    /// <summary>At most this many basic auth users: basic auth is for a few scrapers, not a user directory.</summary>
    public const int MaxUsers = 256;

    /// <summary>Longest header value accepted.</summary>
    public const int MaxHeaderValueLength = 4096;

    private static readonly string[] RootKeys = ["tls_server_config", "http_server_config", "basic_auth_users", "auth_excluded_paths", "rate_limit"];

    private static readonly string[] RateLimitKeys = ["interval", "burst"];

    private static readonly string[] TlsKeys =
    [
        "cert_file", "key_file", "cert", "key", "client_auth_type", "client_ca_file", "client_ca", "client_allowed_sans",
        "min_version", "max_version", "cipher_suites", "curve_preferences", "prefer_server_cipher_suites",
    ];

    private static readonly string[] HttpKeys = ["http2", "headers"];

    /// <summary>Validates the YAML <paramref name="text"/>; <paramref name="file"/> names it in errors and anchors relative paths.</summary>
    public static WebConfig Parse(string text, string file)
    {
        YamlStream stream;
        try
        {
            stream = DepthLimitedYamlParser.Load(text);
        }
        catch (YamlException e)
        {
            throw YamlReader.Invalid(file, e);
        }

        var empty = new WebConfig(file, null, HttpServerConfig.Default, new Dictionary<string, string>(), []);
        if (stream.Documents.Count == 0 || YamlReader.IsNull(stream.Documents[0].RootNode))
        {
            return empty;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ConfigException(file, second.Start.Line, second.Start.Column, "(yaml)", "expected one YAML document");
        }

        var reader = new Reader(file);
        var root = reader.Mapping(stream.Documents[0].RootNode, "(root)");
        reader.RejectUnknown(root, "(root)", RootKeys);
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(file)) ?? "/";
        return empty with
        {
            Tls = reader.Get(root, "tls_server_config") is { } tls ? ReadTls(reader, tls, baseDirectory) : null,
            Http = reader.Get(root, "http_server_config") is { } http ? ReadHttp(reader, http) : HttpServerConfig.Default,
            BasicAuthUsers = reader.Get(root, "basic_auth_users") is { } users ? ReadUsers(reader, users) : empty.BasicAuthUsers,
            AuthExcludedPaths = reader.Get(root, "auth_excluded_paths") is { } paths ? ReadExcludedPaths(reader, paths) : [],
            RateLimit = reader.Get(root, "rate_limit") is { } rateLimit ? ReadRateLimit(reader, rateLimit) : null,
        };
    }

    private static TlsServerConfig? ReadTls(Reader reader, YamlNode node, string baseDirectory)
    {
        const string Where = "tls_server_config";
        var map = reader.Mapping(node, Where);
        if (map.Children.Count == 0)
        {
            return null;
        }

        reader.RejectUnknown(map, Where, TlsKeys);
        foreach (var unsupported in new[] { "cipher_suites", "curve_preferences" })
        {
            if (reader.Get(map, unsupported) is { } given && !(given is YamlSequenceNode { Children.Count: 0 }))
            {
                throw reader.Error(given, $"{Where}.{unsupported}", "not supported by this exporter: the TLS library's defaults are used (TLS 1.3 suites and the OpenSSL TLS 1.2 defaults); remove the key");
            }
        }

        _ = reader.OptionalBool(map, Where, "prefer_server_cipher_suites"); // accepted for compatibility; Go ignores it too
        var certificate = reader.Pem(map, Where, "cert_file", "cert", baseDirectory)
            ?? throw reader.Error(map, $"{Where}.cert_file", "required key is missing: give cert_file (or cert inline) for TLS");
        var key = reader.Pem(map, Where, "key_file", "key", baseDirectory)
            ?? throw reader.Error(map, $"{Where}.key_file", "required key is missing: give key_file (or key inline) for TLS");
        var clientCa = reader.Pem(map, Where, "client_ca_file", "client_ca", baseDirectory);
        var clientAuth = ReadClientAuth(reader, map, Where);

        if (clientCa is not null && clientAuth is ClientAuthType.NoClientCert or ClientAuthType.RequestClientCert or ClientAuthType.RequireAnyClientCert)
        {
            throw reader.Error(reader.Get(map, clientCa.Key)!, $"{Where}.{clientCa.Key}", $"a client CA is given but client_auth_type {clientAuth} does not verify client certificates; use RequireAndVerifyClientCert");
        }

        if (clientCa is null && clientAuth is ClientAuthType.VerifyClientCertIfGiven or ClientAuthType.RequireAndVerifyClientCert)
        {
            throw reader.Error(reader.Get(map, "client_auth_type")!, $"{Where}.client_auth_type", $"{clientAuth} needs client_ca_file (or client_ca) to verify client certificates against");
        }

        var sans = reader.OptionalStrings(map, Where, "client_allowed_sans");
        if (sans.Count > 0 && clientAuth != ClientAuthType.RequireAndVerifyClientCert)
        {
            throw reader.Error(reader.Get(map, "client_allowed_sans")!, $"{Where}.client_allowed_sans", "client_allowed_sans needs client_auth_type RequireAndVerifyClientCert");
        }

        var min = ReadVersion(reader, map, Where, "min_version") ?? SslProtocols.Tls12;
        var max = ReadVersion(reader, map, Where, "max_version") ?? SslProtocols.Tls13;
        if (min > max)
        {
            throw reader.Error(reader.Get(map, "max_version") ?? reader.Get(map, "min_version")!, $"{Where}.max_version", "max_version is lower than min_version");
        }

        var protocols = min == max ? min : SslProtocols.Tls12 | SslProtocols.Tls13;
        return new TlsServerConfig(certificate, key, clientAuth, clientCa, sans, protocols);
    }

    private static ClientAuthType ReadClientAuth(Reader reader, YamlMappingNode map, string where)
    {
        var text = reader.OptionalString(map, where, "client_auth_type");
        return text switch
        {
            null or "NoClientCert" => ClientAuthType.NoClientCert,
            "RequestClientCert" => ClientAuthType.RequestClientCert,
            "RequireAnyClientCert" or "RequireClientCert" => ClientAuthType.RequireAnyClientCert,
            "VerifyClientCertIfGiven" => ClientAuthType.VerifyClientCertIfGiven,
            "RequireAndVerifyClientCert" => ClientAuthType.RequireAndVerifyClientCert,
            _ => throw reader.Error(reader.Get(map, "client_auth_type")!, $"{where}.client_auth_type",
                $"expected one of: {string.Join(", ", Enum.GetNames<ClientAuthType>())}, got '{Shorten(text)}'"),
        };
    }

    private static SslProtocols? ReadVersion(Reader reader, YamlMappingNode map, string where, string key)
    {
        var text = reader.OptionalString(map, where, key);
        return text switch
        {
            null => null,
            "TLS12" => SslProtocols.Tls12,
            "TLS13" => SslProtocols.Tls13,
            "TLS10" or "TLS11" => throw reader.Error(reader.Get(map, key)!, $"{where}.{key}", $"{text} is not supported (TLS 1.0 and 1.1 are deprecated); expected TLS12 or TLS13"),
            _ => throw reader.Error(reader.Get(map, key)!, $"{where}.{key}", $"expected TLS12 or TLS13, got '{Shorten(text)}'"),
        };
    }

    private static HttpServerConfig ReadHttp(Reader reader, YamlNode node)
    {
        const string Where = "http_server_config";
        var map = reader.Mapping(node, Where);
        reader.RejectUnknown(map, Where, HttpKeys);
        var http2 = reader.OptionalBool(map, Where, "http2") ?? true;
        var headers = new List<KeyValuePair<string, string>>();
        if (reader.Get(map, "headers") is { } headersNode)
        {
            var headerMap = reader.Mapping(headersNode, $"{Where}.headers");
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in headerMap.Children)
            {
                var name = (k as YamlScalarNode)?.Value ?? string.Empty;
                var key = $"{Where}.headers.{Shorten(name)}";
                if (!SecurityHeaders.TryGet(name, out var canonical, out var allowed))
                {
                    throw reader.Error(k, key, $"HTTP header '{Shorten(name)}' can not be configured; expected one of: {string.Join(", ", SecurityHeaders.Names)}");
                }

                if (!seen.Add(canonical))
                {
                    throw reader.Error(k, key, "header given twice");
                }

                var value = v switch
                {
                    _ when YamlReader.IsNull(v) => string.Empty,
                    YamlScalarNode { Value: { } s } => s,
                    _ => throw reader.Error(v, key, "expected a string"),
                };

                if (value.Length > MaxHeaderValueLength || value.Any(c => c is (< ' ' and not '\t') or '\u007f' || c > '\u00ff'))
                {
                    throw reader.Error(v, key, $"expected a header value of at most {MaxHeaderValueLength} printable characters (no line breaks)");
                }

                if (value.Length == 0)
                {
                    continue; // "unset if blank"
                }

                if (allowed.Count > 0 && !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
                {
                    throw reader.Error(v, key, $"invalid value for {canonical}: expected one of: {string.Join(", ", allowed)}, got '{Shorten(value)}'");
                }

                headers.Add(new(canonical, value));
            }
        }

        return new HttpServerConfig(http2, headers);
    }

    private static Dictionary<string, string> ReadUsers(Reader reader, YamlNode node)
    {
        const string Where = "basic_auth_users";
        var map = reader.Mapping(node, Where);
        if (map.Children.Count > MaxUsers)
        {
            throw reader.Error(map, Where, $"at most {MaxUsers} users; use TLS client certificates or a proxy for more");
        }

        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var user = k is YamlScalarNode { Value: { Length: > 0 and <= 256 } u } ? u : null;
            if (user is null || user.Contains(':', StringComparison.Ordinal) || user.Any(char.IsControl))
            {
                throw reader.Error(k, Where, $"expected a user name of 1-256 characters without ':' or control characters, got '{YamlReader.UnknownKey((k as YamlScalarNode)?.Value ?? string.Empty)}'");
            }

            // Named in errors as an unknown key is: a user name that is a hash with its key cut off never shows.
            var key = $"{Where}.{YamlReader.UnknownKey(user)}";
            if (v is not YamlScalarNode { Value: { } hash } || !BcryptHash().IsMatch(hash))
            {
                throw reader.Error(v, key, "expected a bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53 characters of salt and hash), such as the output of: htpasswd -nBC 10 \"\" | tr -d ':\\n'");
            }

            var cost = int.Parse(hash.AsSpan(hash.IndexOf('$', 1) + 1, 2), NumberStyles.None, CultureInfo.InvariantCulture);
            if (cost > WebSecurityDefaults.MaxBcryptCost)
            {
                throw reader.Error(v, key, $"bcrypt cost {cost} is above {WebSecurityDefaults.MaxBcryptCost}, the highest accepted (each wrong password would take a core for {Math.Pow(2, cost - 10) * 0.07:0.#} s or more); expected a cost of 04-{WebSecurityDefaults.MaxBcryptCost}, such as the output of: htpasswd -nBC 10 \"\" | tr -d ':\\n'");
            }

            if (!users.TryAdd(user, hash))
            {
                throw reader.Error(k, key, "user given twice");
            }
        }

        return users;
    }

    /// <summary>rate_limit: {interval, burst} as in the exporter-toolkit; null when absent or interval is 0 (off).</summary>
    private static RateLimitConfig? ReadRateLimit(Reader reader, YamlNode node)
    {
        const string Where = "rate_limit";
        var map = reader.Mapping(node, Where);
        reader.RejectUnknown(map, Where, RateLimitKeys);
        var burst = reader.OptionalInt(map, Where, "burst", 0, 1_000_000) ?? 0;
        var interval = reader.Get(map, "interval");
        if (interval is null || (interval is YamlScalarNode { Value: { } text } && ZeroDuration().IsMatch(text)))
        {
            return null;
        }

        return new RateLimitConfig(reader.OptionalDuration(map, Where, "interval")!.Value, burst);
    }

    private static List<string> ReadExcludedPaths(Reader reader, YamlNode node)
    {
        const string Where = "auth_excluded_paths";
        var items = reader.Sequence(node, Where);
        var paths = new List<string>();
        for (var i = 0; i < items.Children.Count; i++)
        {
            var item = items.Children[i];
            if (item is not YamlScalarNode { Value: { } path } || !path.StartsWith('/') || path.Length > 1024 || path.Any(char.IsControl))
            {
                throw reader.Error(item, $"{Where}[{i}]", "expected an absolute request path such as /-/healthy");
            }

            paths.Add(path);
        }

        return paths;
    }

    /// <summary>This file holds password hashes: a value an error quotes shows only when it could not be one.</summary>
    private static string Shorten(string s) => YamlReader.Shown(s);

    /// <summary>A duration of 0 (0, 0s, 0ms, ...): rate_limit's "off".</summary>
    [GeneratedRegex(@"^0+(ms|s|m|h)?$")]
    private static partial Regex ZeroDuration();

    /// <summary>A modular-crypt bcrypt hash, as htpasswd -B and Go's x/crypto/bcrypt write them.</summary>
    [GeneratedRegex(@"^\$2[abxy]?\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$")]
    private static partial Regex BcryptHash();

    /// <summary>The web config's own typed readers on top of <see cref="YamlReader"/>.</summary>
    private sealed class Reader(string file) : YamlReader(file)
    {
        /// <summary>A PEM given as a file (<paramref name="fileKey"/>) or inline (<paramref name="inlineKey"/>), not both.</summary>
        public PemSource? Pem(YamlMappingNode map, string where, string fileKey, string inlineKey, string baseDirectory)
        {
            var path = OptionalString(map, where, fileKey);
            var text = OptionalString(map, where, inlineKey);
            if (path is not null && text is not null)
            {
                throw Error(Get(map, inlineKey)!, $"{where}.{inlineKey}", $"give {fileKey} or {inlineKey}, not both");
            }

            if (path is not null)
            {
                var node = Get(map, fileKey)!;
                if (path.Contains('\0', StringComparison.Ordinal))
                {
                    throw Error(node, $"{where}.{fileKey}", "expected a file path");
                }

                return new PemSource(Path.GetFullPath(path, baseDirectory), null, $"{fileKey}", node.Start.Line, node.Start.Column);
            }

            if (text is not null)
            {
                var node = Get(map, inlineKey)!;
                return new PemSource(null, text, inlineKey, node.Start.Line, node.Start.Column);
            }

            return null;
        }
    }
}
