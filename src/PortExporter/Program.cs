using PortExporter.Cli;
using PortExporter.Hosting;

// First, before the program starts any thread: capabilities are per thread and new threads copy their creator's.
Capabilities.RaiseAtStart();

return await CommandLine.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
