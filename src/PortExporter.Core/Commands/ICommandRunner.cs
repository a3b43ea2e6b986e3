namespace PortExporter.Core.Commands;

/// <summary>Runs an <see cref="AllowedCommand"/>: no shell, a timeout, an output cap. Thread-safe.</summary>
public interface ICommandRunner
{
    Task<CommandResult> RunAsync(AllowedCommand command, TimeSpan timeout, CancellationToken cancellationToken);
}
