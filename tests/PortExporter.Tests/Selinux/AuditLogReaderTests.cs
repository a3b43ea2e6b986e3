using System.Text;
using PortExporter.Core.Selinux;
using Xunit.Abstractions;

namespace PortExporter.Tests.Selinux;

public sealed class AuditLogReaderTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pe-audit-").FullName;

    private string LogPath => Path.Combine(_dir, "audit.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_only_new_lines_and_keeps_a_partial_last_line_for_later()
    {
        File.WriteAllText(LogPath, "one\ntwo\nthr");
        var reader = new AuditLogReader(LogPath, 1024 * 1024, long.MaxValue);

        Assert.Equal(["one", "two"], ReadLines(reader, out var first));
        Assert.Equal(AuditLogState.Read, first.State);
        Assert.Equal(3, first.BytesBehind);

        File.AppendAllText(LogPath, "ee\nfour\n");
        Assert.Equal(["three", "four"], ReadLines(reader, out var second));
        Assert.Equal(0, second.BytesBehind);

        Assert.Empty(ReadLines(reader, out var third));
        Assert.Equal(0, third.BytesRead);
    }

    [Fact]
    public void Stops_at_the_per_read_cap_and_goes_on_next_time()
    {
        var lines = Enumerable.Range(0, 1000).Select(i => $"line {i:D4}").ToList(); // 10 bytes each with the newline
        File.WriteAllText(LogPath, string.Join('\n', lines) + "\n");
        var reader = new AuditLogReader(LogPath, 2500, long.MaxValue);

        var seen = new List<string>();
        var reads = 0;
        while (true)
        {
            var batch = ReadLines(reader, out var result);
            Assert.True(result.BytesRead <= 2500);
            seen.AddRange(batch);
            reads++;
            if (result.BytesBehind == 0)
            {
                break;
            }
        }

        Assert.Equal(lines, seen);
        Assert.Equal(4, reads);
    }

    [Fact]
    public void Starts_a_large_existing_log_near_its_end_at_a_line_boundary()
    {
        File.WriteAllText(LogPath, string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i:D4}\n")));
        var reader = new AuditLogReader(LogPath, 1024 * 1024, initialBacklogBytes: 25);

        // 25 bytes back lands inside "line 0097": it is skipped, the two complete lines after it are read.
        Assert.Equal(["line 0098", "line 0099"], ReadLines(reader, out _));
    }

    [Fact]
    public void After_rotation_reads_the_rest_of_the_old_file_then_the_new_one()
    {
        File.WriteAllText(LogPath, "a1\na2\n");
        var reader = new AuditLogReader(LogPath, 1024 * 1024, long.MaxValue);
        Assert.Equal(["a1", "a2"], ReadLines(reader, out _));

        File.AppendAllText(LogPath, "a3\na4-unterminated");
        File.Move(LogPath, LogPath + ".1");
        File.WriteAllText(LogPath, "b1\nb2\n");

        Assert.Equal(["a3", "a4-unterminated", "b1", "b2"], ReadLines(reader, out var result));
        Assert.True(result.Rotated);
        Assert.Equal(0, result.BytesBehind);
        Assert.Empty(ReadLines(reader, out _));
    }

    [Fact]
    public void After_rotation_finds_the_old_file_further_down_the_rotated_names()
    {
        File.WriteAllText(LogPath, "a1\n");
        var reader = new AuditLogReader(LogPath, 1024 * 1024, long.MaxValue);
        ReadLines(reader, out _);

        File.AppendAllText(LogPath, "a2\n");
        File.Move(LogPath, LogPath + ".2");
        File.WriteAllText(LogPath + ".1", "b1\n");
        File.WriteAllText(LogPath, "c1\n");

        // The file in between (b1) was never the one being read; it is rotated history the reader cannot place.
        Assert.Equal(["a2", "c1"], ReadLines(reader, out _));
    }

    [Fact]
    public void After_rotation_without_the_old_file_starts_the_new_one_from_the_beginning()
    {
        File.WriteAllText(LogPath, "a1\n");
        var reader = new AuditLogReader(LogPath, 1024 * 1024, long.MaxValue);
        ReadLines(reader, out _);

        File.Delete(LogPath);
        File.WriteAllText(LogPath, "b1\nb2\n");

        Assert.Equal(["b1", "b2"], ReadLines(reader, out var result));

        // A new inode is a rotation; the file system may also hand the new file the old inode number, which the
        // remembered first bytes tell apart.
        Assert.True(result.Rotated || result.Truncated);
    }

    [Fact]
    public void A_rotated_file_larger_than_the_cap_is_drained_over_several_reads()
    {
        File.WriteAllText(LogPath, "start\n");
        var reader = new AuditLogReader(LogPath, 30, long.MaxValue);
        ReadLines(reader, out _);

        File.AppendAllText(LogPath, string.Concat(Enumerable.Range(0, 6).Select(i => $"old {i:D4}\n"))); // 9 bytes each
        File.Move(LogPath, LogPath + ".1");
        File.WriteAllText(LogPath, "new 0000\n");

        var seen = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            seen.AddRange(ReadLines(reader, out _));
        }

        Assert.Equal(["old 0000", "old 0001", "old 0002", "old 0003", "old 0004", "old 0005", "new 0000"], seen);
    }

    [Fact]
    public void After_truncation_reads_from_the_start_again()
    {
        File.WriteAllText(LogPath, "a1\na2\na3\n");
        var reader = new AuditLogReader(LogPath, 1024 * 1024, long.MaxValue);
        ReadLines(reader, out _);

        using (var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(0);
        }

        File.AppendAllText(LogPath, "b1\n");

        Assert.Equal(["b1"], ReadLines(reader, out var result));
        Assert.True(result.Truncated);
        Assert.False(result.Rotated);
    }

    [Fact]
    public void Skips_a_line_longer_than_the_buffer()
    {
        File.WriteAllText(LogPath, "before\n" + new string('x', (AuditLogReader.BufferSize * 2) + 17) + "\nafter\n");
        var reader = new AuditLogReader(LogPath, 16 * 1024 * 1024, long.MaxValue);

        Assert.Equal(["before", "after"], ReadLines(reader, out var result));
        Assert.Equal(1, result.OverlongLines);
    }

    [Fact]
    public void Binary_garbage_is_counted_as_malformed_never_thrown()
    {
        var random = new Random(42);
        var garbage = new byte[4 * 1024 * 1024];
        random.NextBytes(garbage);
        File.WriteAllBytes(LogPath, garbage);
        File.AppendAllText(LogPath, "\n" + SelinuxCollectorTests.ApiDenial(1795639000) + "\n");
        var reader = new AuditLogReader(LogPath, 16 * 1024 * 1024, long.MaxValue);
        var kinds = new Dictionary<AuditLineKind, int>();

        var result = reader.ReadNew(line =>
        {
            var kind = AvcRecordParser.Parse(line, null, out _);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        });

        Assert.Equal(AuditLogState.Read, result.State);
        Assert.Equal(1, kinds[AuditLineKind.Denial]);
        Assert.True(kinds[AuditLineKind.Malformed] > 1000);
    }

    [Fact]
    public void A_missing_log_is_no_data_until_it_appears()
    {
        var reader = new AuditLogReader(LogPath, 1024, long.MaxValue);

        Assert.Empty(ReadLines(reader, out var missing));
        Assert.Equal(AuditLogState.Missing, missing.State);

        File.WriteAllText(LogPath, "first\n");
        Assert.Equal(["first"], ReadLines(reader, out var found));
        Assert.Equal(AuditLogState.Read, found.State);
    }

    [Fact]
    public void A_million_lines_are_read_incrementally_with_bounded_memory()
    {
        const int lineCount = 1_000_000;
        const int watchedEvery = 1000;
        const long cap = 32L * 1024 * 1024;
        var writing = System.Diagnostics.Stopwatch.StartNew();
        var size = WriteMillionLineLog(lineCount, watchedEvery);
        output.WriteLine($"writing the log took {writing.ElapsedMilliseconds} ms");
        var ledger = new DenialLedger();
        ledger.Watch([new PortExporter.Core.PortKey(8081, PortExporter.Firewall.TransportProtocol.Tcp)]);
        var reader = new AuditLogReader(LogPath, cap, initialBacklogBytes: long.MaxValue);
        var lines = 0;
        var malformed = 0;
        void OnLine(ReadOnlySpan<byte> line)
        {
            lines++;
            switch (AvcRecordParser.Parse(line, ledger.Filter, out var denial))
            {
                case AuditLineKind.Denial:
                    ledger.Record(denial!);
                    break;
                case AuditLineKind.Malformed:
                    malformed++;
                    break;
            }
        }

        // Warm up the code paths (JIT, statics) on a small log of the same shape, so only steady-state reading is measured.
        var warmUpPath = Path.Combine(_dir, "warm-up.log");
        File.WriteAllLines(warmUpPath, File.ReadLines(LogPath).Take(3000));
        new AuditLogReader(warmUpPath, cap, long.MaxValue).ReadNew(OnLine);
        lines = 0;
        var warmUpDenials = ledger.For(new PortExporter.Core.PortKey(8081, PortExporter.Firewall.TransportProtocol.Tcp)).Counts()["name_bind"];
        var collections = 0;
        long totalRead = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        AuditReadResult result;
        do
        {
            result = reader.ReadNew(OnLine);
            Assert.True(result.BytesRead <= cap, $"one read took {result.BytesRead} bytes");
            totalRead += result.BytesRead;
            collections++;
        }
        while (result.BytesBehind > 0);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{lineCount} lines, {size} bytes, {collections} reads of at most {cap} bytes, {clock.ElapsedMilliseconds} ms, {allocated} bytes allocated");
        var again = reader.ReadNew(OnLine);

        Assert.Equal(lineCount, lines);
        Assert.Equal(0, malformed);
        Assert.Equal(warmUpDenials + (lineCount / watchedEvery), ledger.For(new PortExporter.Core.PortKey(8081, PortExporter.Firewall.TransportProtocol.Tcp)).Counts()["name_bind"]);
        Assert.Equal((int)Math.Ceiling(size / (double)cap), collections);
        Assert.True(totalRead < size + (collections * AuditLogReader.BufferSize), $"read {totalRead} of {size} bytes");

        // 1000 denials materialised (a record, a string or two each) plus a file handle per read: well under 2 MiB
        // for a log of more than 150 MB.
        Assert.True(allocated < 2 * 1024 * 1024, $"reading {size} bytes allocated {allocated} bytes");
        Assert.Equal(0, again.BytesRead);
        Assert.Equal(0, again.BytesBehind);
    }

    /// <summary>Writes the log straight as bytes (formatting a million strings would dominate the test).</summary>
    private long WriteMillionLineLog(int lineCount, int watchedEvery)
    {
        var line = new byte[512];
        using (var stream = new FileStream(LogPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (var i = 0; i < lineCount; i++)
            {
                var n = 0;
                if (i % watchedEvery == 0)
                {
                    n = Put(line, n, "type=AVC msg=audit("u8);
                    n = Stamp(line, n, i);
                    n = Put(line, n, "): avc:  denied  { name_bind } for  pid=4321 comm=\"nginx\" src=8081 scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0\n"u8);
                }
                else if (i % 3 == 0)
                {
                    n = Put(line, n, "type=AVC msg=audit("u8);
                    n = Stamp(line, n, i);
                    n = Put(line, n, "): avc:  denied  { name_bind } for  pid=4321 comm=\"other\" src="u8);
                    n = Number(line, n, 10000 + (i % 5000));
                    n = Put(line, n, " scontext=system_u:system_r:other_t:s0 tcontext=system_u:object_r:unreserved_port_t:s0 tclass=tcp_socket permissive=0\n"u8);
                }
                else
                {
                    n = Put(line, n, "type=SYSCALL msg=audit("u8);
                    n = Stamp(line, n, i);
                    n = Put(line, n, "): arch=c000003e syscall=49 success=no exit=-13 a0=6 a1=5560d248c6b0 a2=10 a3=7ffd84cb3220 items=0 ppid=1 pid=4321 auid=4294967295 uid=0 comm=\"other\"\n"u8);
                }

                stream.Write(line, 0, n);
            }
        }

        return new FileInfo(LogPath).Length;

        static int Put(byte[] buffer, int at, ReadOnlySpan<byte> text)
        {
            text.CopyTo(buffer.AsSpan(at));
            return at + text.Length;
        }

        static int Number(byte[] buffer, int at, long value)
        {
            System.Buffers.Text.Utf8Formatter.TryFormat(value, buffer.AsSpan(at), out var written);
            return at + written;
        }

        static int Stamp(byte[] buffer, int at, int i)
        {
            at = Number(buffer, at, 1_795_638_000 + (i / 100));
            buffer[at++] = (byte)'.';
            System.Buffers.Text.Utf8Formatter.TryFormat(i % 1000, buffer.AsSpan(at), out var written, new System.Buffers.StandardFormat('D', 3));
            at += written;
            buffer[at++] = (byte)':';
            return Number(buffer, at, i);
        }
    }

    private static List<string> ReadLines(AuditLogReader reader, out AuditReadResult result)
    {
        var lines = new List<string>();
        result = reader.ReadNew(line => lines.Add(Encoding.UTF8.GetString(line)));
        return lines;
    }
}
