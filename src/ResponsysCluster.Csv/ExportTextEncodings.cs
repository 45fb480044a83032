using System.Text;
using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Csv;

/// <summary>Decoders that report, through an <see cref="InvalidByteTracker"/>, every byte sequence not valid in the file's encoding.</summary>
internal static class ExportTextEncodings
{
    static ExportTextEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding For(ExportEncoding encoding, InvalidByteTracker tracker) => encoding switch
    {
        ExportEncoding.Utf8 => WithFallback(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), tracker),
        ExportEncoding.Latin1 => Encoding.Latin1,
        ExportEncoding.Windows1252 => Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, tracker),
        ExportEncoding.Utf16 => WithFallback(new UnicodeEncoding(bigEndian: false, byteOrderMark: true), tracker),
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };

    private static Encoding WithFallback(Encoding encoding, DecoderFallback fallback)
    {
        var writable = (Encoding)encoding.Clone();
        writable.DecoderFallback = fallback;
        return writable;
    }

    public static string NameOf(ExportEncoding encoding) => encoding switch
    {
        ExportEncoding.Utf8 => "UTF-8",
        ExportEncoding.Latin1 => "ISO-8859-1",
        ExportEncoding.Windows1252 => "Windows-1252",
        ExportEncoding.Utf16 => "UTF-16",
        _ => encoding.ToString(),
    };
}
