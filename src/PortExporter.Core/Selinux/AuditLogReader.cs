namespace PortExporter.Core.Selinux;

/// <summary>
/// Reads an append-only log (the audit log) incrementally. It remembers the file's inode and the offset after the
/// last complete line, and each call reads only bytes added since, at most <c>maxBytesPerRead</c>, through one
/// fixed buffer, so memory does not grow with the file. A partial last line is left for the next call. When the
/// path names a new inode (auditd renamed the file to <c>PATH.1</c> and started a new one), the rest of the old
/// file is read if a rotated name (<c>PATH.1</c> … <c>PATH.N</c>) still holds that inode, then the new file from
/// its start. When the file shrinks below the offset (truncated in place), it is read again from the start.
/// On the first call it starts <c>initialBacklogBytes</c> before the end, at a line boundary, so recent history is
/// seen without reading a multi-gigabyte file. Not thread-safe: one caller at a time.
/// </summary>
public sealed class AuditLogReader
{
    /// <summary>The fixed line buffer: longer lines are skipped (the kernel caps an audit record near 9 KiB).</summary>
    public const int BufferSize = 64 * 1024;

    /// <summary>Bytes of the file's start remembered to notice a file replaced under a reused inode.</summary>
    private const int HeadSize = 64;

    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly byte[] _head = new byte[HeadSize];
    private int _headLength;
    private readonly long _maxBytesPerRead;
    private readonly long _initialBacklogBytes;
    private readonly int _rotatedFilesToSearch;
    private bool _started;
    private ulong? _inode;
    private long _offset;
    private bool _skipToNewline;

    public AuditLogReader(string path, long maxBytesPerRead, long initialBacklogBytes, int rotatedFilesToSearch = 9)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytesPerRead, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(initialBacklogBytes);
        Path = path;
        _maxBytesPerRead = maxBytesPerRead;
        _initialBacklogBytes = initialBacklogBytes;
        _rotatedFilesToSearch = rotatedFilesToSearch;
    }

    /// <summary>The live log file.</summary>
    public string Path { get; }

    /// <summary>The offset after the last line handed out, in the file being read.</summary>
    public long Offset => _offset;

    /// <summary>Hands every new complete line to <paramref name="onLine"/>.</summary>
    /// <exception cref="IOException">Reading failed for a reason other than a missing or unreadable file.</exception>
    public AuditReadResult ReadNew(AuditLineHandler onLine, CancellationToken cancellationToken = default)
    {
        var current = FileIdentity.Stat(Path);
        if (current.Status == FileStatus.Denied)
        {
            return AuditReadResult.Unreadable;
        }

        if (!_started)
        {
            if (!current.Exists)
            {
                return AuditReadResult.Missing;
            }

            _started = true;
            _inode = current.Inode;
            _offset = Math.Max(0, current.Size - _initialBacklogBytes);
            _skipToNewline = _offset > 0;
        }

        var budget = new Budget(_maxBytesPerRead);
        var rotated = false;
        var truncated = false;
        var overlong = 0;
        try
        {
            if (current.Exists && (_inode is null || current.Inode == _inode))
            {
                if (_inode is null)
                {
                    // The previous file was drained before its successor appeared.
                    _inode = current.Inode;
                    _offset = 0;
                }
                else if (current.Size < _offset || !HeadMatches(Path, current.Size))
                {
                    // Truncated in place, or deleted and recreated under the same inode number.
                    truncated = true;
                    _offset = 0;
                    _skipToNewline = false;
                    _headLength = 0;
                    HeadMatches(Path, current.Size);
                }

                overlong += ReadRange(Path, current.Size, isFinal: false, budget, onLine, cancellationToken);
            }
            else
            {
                rotated = true;
                var old = FindRotated(_inode);
                if (old is not null)
                {
                    var oldStat = FileIdentity.Stat(old);
                    overlong += ReadRange(old, oldStat.Size, isFinal: true, budget, onLine, cancellationToken);
                    if (_offset < oldStat.Size)
                    {
                        // The cap stopped us inside the old file: go on there next time.
                        return new AuditReadResult(AuditLogState.Read, budget.Used, current.Size + (oldStat.Size - _offset), rotated, truncated, overlong);
                    }
                }

                _skipToNewline = false;
                _offset = 0;
                _headLength = 0;
                if (!current.Exists)
                {
                    _inode = null;
                    return new AuditReadResult(AuditLogState.Read, budget.Used, 0, rotated, truncated, overlong);
                }

                _inode = current.Inode;
                HeadMatches(Path, current.Size);
                overlong += ReadRange(Path, current.Size, isFinal: false, budget, onLine, cancellationToken);
            }
        }
        catch (UnauthorizedAccessException)
        {
            return AuditReadResult.Unreadable;
        }
        catch (FileNotFoundException)
        {
            return AuditReadResult.Missing;
        }

        return new AuditReadResult(AuditLogState.Read, budget.Used, Math.Max(0, current.Size - _offset), rotated, truncated, overlong);
    }

    /// <summary>
    /// Compares the file's first bytes with those remembered (remembering them, or more of them, when fewer are
    /// known). False means another file now has this path under the same inode number.
    /// </summary>
    private bool HeadMatches(string path, long size)
    {
        Span<byte> head = stackalloc byte[HeadSize];
        var length = (int)Math.Min(HeadSize, size);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1))
        {
            length = stream.ReadAtLeast(head[..length], length, throwOnEndOfStream: false);
        }

        var compared = Math.Min(length, _headLength);
        if (!head[..compared].SequenceEqual(_head.AsSpan(0, compared)))
        {
            return false;
        }

        if (length > _headLength)
        {
            head[..length].CopyTo(_head);
            _headLength = length;
        }

        return true;
    }

    private string? FindRotated(ulong? inode)
    {
        if (inode is null or 0)
        {
            return null;
        }

        for (var i = 1; i <= _rotatedFilesToSearch; i++)
        {
            var candidate = $"{Path}.{i}";
            var stat = FileIdentity.Stat(candidate);
            if (!stat.Exists)
            {
                return null;
            }

            if (stat.Inode == inode)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Reads from <see cref="_offset"/> up to <paramref name="end"/> within the budget; returns skipped overlong lines.</summary>
    private int ReadRange(string path, long end, bool isFinal, Budget budget, AuditLineHandler onLine, CancellationToken cancellationToken)
    {
        if (_offset >= end || budget.Left <= 0)
        {
            return 0;
        }

        var overlong = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        stream.Seek(_offset, SeekOrigin.Begin);
        var limit = Math.Min(end, _offset + budget.Left);
        var position = _offset; // file offset of _buffer[0]
        var filled = 0;
        while (position + filled < limit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var toRead = (int)Math.Min(_buffer.Length - filled, limit - (position + filled));
            var read = stream.Read(_buffer, filled, toRead);
            if (read == 0)
            {
                break;
            }

            budget.Use(read);
            filled += read;
            var start = 0;
            while (true)
            {
                var newline = _buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                Deliver(_buffer.AsSpan(start, newline), onLine);
                start += newline + 1;
            }

            _offset = position + start;
            if (start == 0 && filled == _buffer.Length)
            {
                // One line fills the whole buffer: skip it up to its newline.
                if (!_skipToNewline)
                {
                    overlong++;
                }

                _skipToNewline = true;
                position += filled;
                _offset = position;
                filled = 0;
                continue;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(_buffer, start, _buffer, 0, filled - start);
                position += start;
                filled -= start;
            }
        }

        if (isFinal && filled > 0 && position + filled >= end)
        {
            // The rotated file will not grow: its unterminated last line is complete.
            Deliver(_buffer.AsSpan(0, filled), onLine);
            _offset = position + filled;
        }

        return overlong;
    }

    private void Deliver(ReadOnlySpan<byte> line, AuditLineHandler onLine)
    {
        if (_skipToNewline)
        {
            _skipToNewline = false;
            return;
        }

        onLine(line);
    }

    private sealed class Budget(long total)
    {
        public long Used { get; private set; }

        public long Left => total - Used;

        public void Use(long bytes) => Used += bytes;
    }
}
