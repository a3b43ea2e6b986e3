namespace PortExporter.Web.Security;

/// <summary>How a basic auth check ended.</summary>
public enum BasicAuthResult
{
    /// <summary>A configured user with its password: serve the request.</summary>
    Verified,

    /// <summary>Unknown user or wrong password: 401.</summary>
    Refused,

    /// <summary>Not checked: this client already has as many checks waiting as it may, or all clients together do (429).</summary>
    Busy,
}
