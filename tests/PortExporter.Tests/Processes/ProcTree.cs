namespace PortExporter.Tests.Processes;

/// <summary>
/// A procfs tree of processes built from a captured fixture: the comm files are copied and the
/// <c>PID/exe</c> and <c>PID/fd/N</c> symlinks re-created from links.txt ("PATH TARGET" per line), so
/// the resolver reads real symlinks such as <c>fd/5 -> socket:[60001]</c>. Deleted on dispose.
/// </summary>
internal sealed class ProcTree : IDisposable
{
    public ProcTree(string caseName = "mixed")
    {
        Root = Directory.CreateTempSubdirectory("pe-proctree-").FullName;
        var fixture = Path.Combine(AppContext.BaseDirectory, "Processes", "fixtures", caseName);
        foreach (var comm in Directory.EnumerateFiles(fixture, "comm", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, Path.GetRelativePath(fixture, comm));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(comm, target);
        }

        foreach (var line in File.ReadLines(Path.Combine(fixture, "links.txt")))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            Link(line[..space], line[(space + 1)..]);
        }
    }

    public string Root { get; }

    /// <summary>Creates (or replaces) the symlink <paramref name="relativePath"/> -> <paramref name="target"/>.</summary>
    public void Link(string relativePath, string target)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Path.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }

        File.CreateSymbolicLink(path, target);
    }

    /// <summary>Removes a process, as if it exited.</summary>
    public void Remove(int pid) => Directory.Delete(Path.Combine(Root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)), recursive: true);

    /// <summary>Adds a process with a comm and fd links.</summary>
    public void Add(int pid, string comm, params (string Fd, string Target)[] fds)
    {
        var dir = Path.Combine(Root, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(dir, "fd"));
        File.WriteAllText(Path.Combine(dir, "comm"), comm + "\n");
        foreach (var (fd, target) in fds)
        {
            File.CreateSymbolicLink(Path.Combine(dir, "fd", fd), target);
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
