using BenchmarkDotNet.Running;

namespace PortExporter.Benchmarks;

/// <summary>
/// Parser micro-benchmarks. <c>dotnet run -c Release --project bench/PortExporter.Benchmarks -- --filter '*'</c>
/// runs all of them; any BenchmarkDotNet option works (<c>--list flat</c>, <c>--filter *SockDiag*</c>, <c>--job short</c>).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
