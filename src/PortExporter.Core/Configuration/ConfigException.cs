namespace PortExporter.Core.Configuration;

/// <summary>A config file that cannot be used: names the file, the place, the key and what was expected.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, long line, long column, string key, string problem)
        : base($"{file}:{line}:{column}: {key}: {problem}")
    {
        File = file;
        Line = line;
        Column = column;
        Key = key;
        Problem = problem;
    }

    public ConfigException(string file, string problem, Exception? inner = null)
        : base($"{file}: {problem}", inner)
    {
        File = file;
        Key = string.Empty;
        Problem = problem;
    }

    public string File { get; }

    public long Line { get; }

    public long Column { get; }

    public string Key { get; }

    public string Problem { get; }
}
