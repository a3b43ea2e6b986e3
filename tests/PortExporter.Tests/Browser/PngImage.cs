using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace PortExporter.Tests.Browser;

/// <summary>
/// A decoded PNG, enough to check a screenshot: the signature, IHDR, the zlib stream of the IDAT chunks and the
/// five scanline filters, for 8-bit truecolour (with or without alpha), not interlaced — what Chromium writes.
/// Anything else is a <see cref="FormatException"/> naming the field and value.
/// </summary>
public sealed class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly byte[] _pixels;
    private readonly int _channels;

    private PngImage(int width, int height, int channels, byte[] pixels)
    {
        Width = width;
        Height = height;
        _channels = channels;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The pixel at (x, y) as 0xRRGGBB (alpha ignored).</summary>
    public int Rgb(int x, int y)
    {
        var at = ((y * Width) + x) * _channels;
        return (_pixels[at] << 16) | (_pixels[at + 1] << 8) | _pixels[at + 2];
    }

    /// <summary>How many pixels have each colour.</summary>
    public IReadOnlyDictionary<int, int> Histogram()
    {
        var counts = new Dictionary<int, int>();
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var rgb = Rgb(x, y);
                counts[rgb] = counts.GetValueOrDefault(rgb) + 1;
            }
        }

        return counts;
    }

    public static PngImage Decode(byte[] png)
    {
        if (png.Length < Signature.Length + 25 || !png.AsSpan(0, Signature.Length).SequenceEqual(Signature))
        {
            throw new FormatException("not a PNG: the 8-byte signature is missing");
        }

        var offset = Signature.Length;
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        var sawHeader = false;
        while (offset + 12 <= png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = Encoding.ASCII.GetString(png, offset + 4, 4);
            if (length < 0 || offset + 12 + length > png.Length)
            {
                throw new FormatException($"chunk {type} at offset {offset}: length {length} runs past the end ({png.Length} bytes)");
            }

            var data = png.AsSpan(offset + 8, length);
            if (!sawHeader && type != "IHDR")
            {
                throw new FormatException($"first chunk is {type}, not IHDR");
            }

            switch (type)
            {
                case "IHDR":
                    sawHeader = true;
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    channels = (data[8], data[9], data[12]) switch
                    {
                        (8, 2, 0) => 3,
                        (8, 6, 0) => 4,
                        var (depth, colour, interlace) => throw new FormatException($"IHDR: bit depth {depth}, colour type {colour}, interlace {interlace} not supported"),
                    };
                    if (width is <= 0 or > 16384 || height is <= 0 or > 16384)
                    {
                        throw new FormatException($"IHDR: size {width}x{height} out of range");
                    }

                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    return new PngImage(width, height, channels, Unfilter(idat.ToArray(), width, height, channels));
            }

            offset += 12 + length;
        }

        throw new FormatException("no IEND chunk: the PNG is truncated");
    }

    private static byte[] Unfilter(byte[] compressed, int width, int height, int channels)
    {
        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        using (var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            zlib.ReadExactly(raw);
        }

        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan((y * (stride + 1)) + 1, stride);
            var output = pixels.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> previous = y == 0 ? new byte[stride] : pixels.AsSpan((y - 1) * stride, stride);
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? output[x - channels] : 0, b = previous[x], c = x >= channels ? previous[x - channels] : 0;
                output[x] = (byte)(line[x] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new FormatException($"scanline {y}: filter type {filter} is not 0-4"),
                });
            }
        }

        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
