namespace PortExporter.Tests.Browser;

/// <summary>The screenshot check must not pass on a file that is not a whole PNG.</summary>
public sealed class PngImageTests
{
    [Fact]
    public void Garbage_and_truncated_files_are_rejected_with_the_reason()
    {
        Assert.Contains("signature", Assert.Throws<FormatException>(() => PngImage.Decode(new byte[100])).Message, StringComparison.Ordinal);

        byte[] headerOnly =
        [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A,
            0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 5, 0, 0, 0, 3, 0x84, 8, 2, 0, 0, 0, 0, 0, 0, 0,
        ];
        Assert.Contains("IEND", Assert.Throws<FormatException>(() => PngImage.Decode(headerOnly)).Message, StringComparison.Ordinal);

        var lying = (byte[])headerOnly.Clone();
        lying[11] = 200;
        Assert.Contains("runs past the end", Assert.Throws<FormatException>(() => PngImage.Decode(lying)).Message, StringComparison.Ordinal);
    }
}
