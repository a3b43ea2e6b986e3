namespace PortExporter.Tests.Deploy;

/// <summary>Finds files of the repository from the test's output folder (the folder holding PortExporter.slnx).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortExporter.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no PortExporter.slnx above {AppContext.BaseDirectory}");
    }
}
