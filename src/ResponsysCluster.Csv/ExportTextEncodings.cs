using System.Text;
using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Csv;

/// <summary>Strict decoders: a byte sequence that is not valid in the file's encoding is an error, never a '?'.</summary>
internal static class ExportTextEncodings
{
    static ExportTextEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding For(ExportEncoding encoding) => encoding switch
    {
        ExportEncoding.Utf8 => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
        ExportEncoding.Latin1 => Encoding.Latin1,
        ExportEncoding.Windows1252 => Encoding.GetEncoding(1252, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
        ExportEncoding.Utf16 => new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true),
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
    };

    public static string NameOf(ExportEncoding encoding) => encoding switch
    {
        ExportEncoding.Utf8 => "UTF-8",
        ExportEncoding.Latin1 => "ISO-8859-1",
        ExportEncoding.Windows1252 => "Windows-1252",
        ExportEncoding.Utf16 => "UTF-16",
        _ => encoding.ToString(),
    };
}
