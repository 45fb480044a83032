using ResponsysCluster.Domain.Files;
using Sylvan.Data.Csv;

namespace ResponsysCluster.Csv;

/// <summary>
/// Streams the records of one export file: a header row, then records whose fields are read as spans straight
/// from the parser's buffer, so memory does not grow with the file. Blank lines are skipped. Every failure is an
/// <see cref="ExportFileException"/> naming the file, the line and the record.
/// </summary>
public sealed class ExportRecordReader : IDisposable
{
    private const int BufferSize = 64 * 1024;
    // A record (with its quoted newlines) may be this long before the file is judged malformed.
    private const int MaxRecordChars = 32 * 1024 * 1024;

    private readonly CsvDataReader reader;
    private readonly string filePath;
    private readonly string encodingName;
    private readonly InvalidByteTracker invalidBytes;
    private readonly NulCheck? nulCheck;
    private readonly IReadOnlyList<string> fileHeader;
    // Set by SelectColumns: the file ordinal of each selected column, in the file's order.
    private int[]? selected;
    private long nextLine;

    private ExportRecordReader(CsvDataReader reader, string filePath, string encodingName, InvalidByteTracker invalidBytes,
        NulCheck? nulCheck, IReadOnlyList<string> header, long headerLines)
    {
        this.reader = reader;
        this.nulCheck = nulCheck;
        this.invalidBytes = invalidBytes;
        this.filePath = filePath;
        this.encodingName = encodingName;
        fileHeader = header;
        Header = header;
        nextLine = 1 + headerLines;
    }

    /// <summary>Column names from the header row, in order (only the selected ones after <see cref="SelectColumns"/>).</summary>
    public IReadOnlyList<string> Header { get; private set; }

    /// <summary>Records read so far; while positioned on a record, its 1-based ordinal.</summary>
    public long RecordsRead { get; private set; }

    /// <summary>The current record as <c>_sdc_source_lineno</c> numbers it: header = 1, first record = 2.</summary>
    public long SourceLineNumber => RecordsRead + 1;

    /// <summary>The physical line on which the current record starts.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Fields in the current record; may be more or fewer than the header has.</summary>
    public int FieldCount => selected is null ? reader.RowFieldCount : SelectedFieldCount();

    /// <summary>
    /// The current record's field, unquoted and unescaped; valid until the next <see cref="Read"/>. Past the
    /// header's columns come the record's extra fields.
    /// </summary>
    public ReadOnlySpan<char> Field(int ordinal) => reader.GetFieldSpan(selected is null ? ordinal : FileOrdinal(ordinal));

    /// <summary>
    /// Reads only the header columns <paramref name="names"/> lists, in the file's order, as if the others were not
    /// there (a name the header lacks is no error); fields beyond the file's header remain extra fields.
    /// </summary>
    public void SelectColumns(IReadOnlyCollection<string> names)
    {
        selected = Enumerable.Range(0, fileHeader.Count).Where(i => names.Contains(fileHeader[i])).ToArray();
        Header = [.. selected.Select(i => fileHeader[i])];
    }

    private int FileOrdinal(int ordinal) => ordinal < selected!.Length ? selected[ordinal] : fileHeader.Count + ordinal - selected.Length;

    // A short record lacks the header's last columns: of the selected ones, those it has are a prefix.
    private int SelectedFieldCount()
    {
        var fields = reader.RowFieldCount;
        if (fields > fileHeader.Count) return selected!.Length + fields - fileHeader.Count;
        var present = 0;
        while (present < selected!.Length && selected[present] < fields) present++;
        return present;
    }

    /// <summary>Opens <paramref name="stream"/> and reads the header row. The reader owns the stream.</summary>
    public static ExportRecordReader Open(Stream stream, string filePath, CsvFormat format)
    {
        var invalidBytes = new InvalidByteTracker();
        var nulBytes = format.RejectNul ? new NulByteLocator(stream) : null;
        if (nulBytes is not null) stream = nulBytes;
        var text = new StreamReader(stream, ExportTextEncodings.For(format.Encoding, invalidBytes), detectEncodingFromByteOrderMarks: true, BufferSize);
        var encodingName = ExportTextEncodings.NameOf(format.Encoding);
        var options = new CsvDataReaderOptions
        {
            HasHeaders = true,
            Delimiter = format.Delimiter,
            Quote = '"',
            Escape = '"',
            BufferSize = BufferSize,
            MaxBufferSize = MaxRecordChars,
            OwnsReader = true,
            ResultSetMode = ResultSetMode.SingleResult,
        };

        CsvDataReader reader;
        try
        {
            reader = CsvDataReader.Create(text, options);
        }
        catch (Exception ex)
        {
            text.Dispose();
            throw Translate(ex, filePath, line: 1, record: 1);
        }

        try
        {
            var header = ReadHeader(reader, filePath);
            if (header.Any(h => h.Contains(InvalidByteTracker.Marker)))
                throw InvalidBytes(filePath, encodingName, invalidBytes, line: 1, record: null);
            var nulCheck = nulBytes is null ? null : new NulCheck(nulBytes, text);
            if (header.FindIndex(h => h.Contains('\0')) is >= 0 and var column)
                throw nulCheck!.Error(filePath, header, column, lineAtStart: 1,
                    textBefore: string.Join(format.Delimiter, header.Take(column)) + header[column][..header[column].IndexOf('\0')], record: null);
            return new ExportRecordReader(reader, filePath, encodingName, invalidBytes, nulCheck, header, HeaderLines(header));
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Moves to the next record; false at the end of the file.</summary>
    public bool Read()
    {
        while (true)
        {
            bool more;
            try
            {
                more = reader.Read();
            }
            catch (Exception ex)
            {
                throw Translate(ex, filePath, nextLine, RecordsRead + 2);
            }

            if (!more)
            {
                if (invalidBytes.InvalidSequences > 0) throw InvalidBytes(filePath, encodingName, invalidBytes, null, null);
                return false;
            }
            var lineAtStart = nextLine;
            var raw = reader.GetRawRecordSpan();
            nextLine += Math.Max(1, raw.Count('\n'));
            if (invalidBytes.InvalidSequences > 0 && raw.Contains(InvalidByteTracker.Marker))
                throw InvalidBytes(filePath, encodingName, invalidBytes, lineAtStart, RecordsRead + 2);
            if (IsBlankLine()) continue;
            if (nulCheck is not null && raw.Contains('\0')) throw NulInRecord(lineAtStart, RecordsRead + 2);

            RecordsRead++;
            LineNumber = lineAtStart;
            return true;
        }
    }

    public void Dispose() => reader.Dispose();

    private ExportFileException NulInRecord(long lineAtStart, long record)
    {
        for (var i = 0; i < reader.RowFieldCount; i++)
        {
            if (!reader.GetFieldSpan(i).Contains('\0')) continue;
            // The record's raw text up to this field's NUL, to count the lines a quoted field spans before it.
            var raw = reader.GetRawRecordSpan();
            var before = raw[..Math.Max(0, raw.IndexOf('\0'))].ToString();
            return nulCheck!.Error(filePath, fileHeader, i, lineAtStart, before, record);
        }
        var rawText = reader.GetRawRecordSpan().ToString();
        return nulCheck!.Error(filePath, fileHeader, column: null, lineAtStart, rawText[..rawText.IndexOf('\0')], record);
    }

    // Blank lines are not records (as Python's csv.DictReader, and so tap-responsys, skips them).
    private bool IsBlankLine() => reader.RowFieldCount == 1 && reader.GetRawRecordSpan().Trim("\r\n").IsEmpty;

    private static List<string> ReadHeader(CsvDataReader reader, string filePath)
    {
        if (reader.FieldCount == 1 && string.IsNullOrWhiteSpace(reader.GetName(0)))
            throw new ExportFileException(filePath, "missing header: the header row is empty", line: 1);
        var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        return HeaderNames.Unique(names);
    }

    // A quoted header name may span lines; count them so line numbers stay physical.
    private static long HeaderLines(IReadOnlyList<string> header) => 1 + header.Sum(h => (long)h.AsSpan().Count('\n'));

    private static ExportFileException InvalidBytes(string filePath, string encodingName, InvalidByteTracker tracker, long? line, long? record) =>
        new(filePath, $"not valid {encodingName}: bytes {Convert.ToHexString(tracker.FirstInvalidBytes)} cannot be decoded", line, record);

    private static ExportFileException Translate(Exception ex, string filePath, long line, long record) => ex switch
    {
        ExportFileException e => e,
        CsvMissingHeadersException => new ExportFileException(filePath, "missing header: the file has no header row", line: 1, inner: ex),
        CsvRecordTooLargeException => new ExportFileException(filePath,
            $"a record is longer than {MaxRecordChars / (1024 * 1024)} MiB: an unbalanced quote, or not a CSV file", line, record, ex),
        CsvFormatException => new ExportFileException(filePath, $"malformed CSV: {ex.Message}", line, record, ex),
        IOException => new ExportFileException(filePath, $"read failed: {ex.Message}", line, record, ex),
        _ => new ExportFileException(filePath, $"{ex.GetType().Name}: {ex.Message}", line, record, ex),
    };

    /// <summary>Builds the error for the file's first NUL, which is the NUL the reader has just met.</summary>
    private sealed class NulCheck(NulByteLocator bytes, StreamReader text)
    {
        public ExportFileException Error(string filePath, IReadOnlyList<string> header, int? column, long lineAtStart,
            string textBefore, long? record)
        {
            var line = lineAtStart + textBefore.AsSpan().Count('\n');
            var where = column switch
            {
                { } c when c < header.Count => $"column {c + 1} ('{header[c]}')",
                { } c => $"column {c + 1} (beyond the header's {header.Count})",
                null => "the record",
            };
            var offset = bytes.FirstNul(NulByteLocator.UnitOf(text.CurrentEncoding)) is { } at ? $"byte offset {at}" : "an unknown byte offset";
            return new ExportFileException(filePath,
                $"a NUL character (0x00) in {where} on line {line}, at {offset} of the file: PostgreSQL text cannot hold it",
                lineAtStart, record);
        }
    }
}
