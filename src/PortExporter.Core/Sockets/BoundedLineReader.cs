using System.Globalization;

namespace PortExporter.Core.Sockets;

/// <summary>
/// Reads lines from a <see cref="TextReader"/> into one fixed buffer and hands them out as spans, so a table
/// of any length is parsed without a string per line and a line longer than the buffer is an error, not
/// unbounded memory. A span is valid until the next call. Not thread-safe.
/// </summary>
internal sealed class BoundedLineReader(TextReader reader, string source, int maxLineLength)
{
    private readonly char[] _buffer = new char[maxLineLength + 1];
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line without its '\n', or false at the end of the input.</summary>
    public bool TryReadLine(out ReadOnlySpan<char> line)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf('\n');
            if (newline >= 0)
            {
                line = pending[..newline];
                _start += newline + 1;
                LineNumber++;
                return true;
            }

            if (_eof)
            {
                line = pending;
                _start = _end;
                if (line.IsEmpty)
                {
                    return false;
                }

                LineNumber++;
                return true;
            }

            if (_start > 0)
            {
                pending.CopyTo(_buffer);
                _end = pending.Length;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new ProcfsFormatException(
                    source,
                    LineNumber + 1,
                    "line",
                    _buffer.AsSpan(0, ProcfsFormatException.MaxRawValueLength),
                    string.Create(CultureInfo.InvariantCulture, $"a line of at most {_buffer.Length - 1} characters"));
            }

            var read = reader.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }
}
