using System.Text;

namespace ResponsysCluster.Csv;

/// <summary>
/// A decoder fallback that marks bytes invalid in the file's encoding with U+FFFD and counts them. Decoding runs
/// a buffer ahead of parsing, so an exception there could not say which record held the bad bytes; the reader
/// instead finds the marker in the record and fails it with its line and record number.
/// </summary>
internal sealed class InvalidByteTracker : DecoderFallback
{
    public const char Marker = '\uFFFD';

    public int InvalidSequences { get; private set; }

    /// <summary>The first invalid bytes seen, for the error message.</summary>
    public byte[] FirstInvalidBytes { get; private set; } = [];

    public override int MaxCharCount => 1;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

    private void Record(byte[] bytes)
    {
        if (InvalidSequences++ == 0) FirstInvalidBytes = bytes;
    }

    private sealed class Buffer(InvalidByteTracker tracker) : DecoderFallbackBuffer
    {
        private bool pending;

        public override int Remaining => pending ? 1 : 0;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            tracker.Record(bytesUnknown);
            pending = true;
            return true;
        }

        public override char GetNextChar()
        {
            if (!pending) return '\0';
            pending = false;
            return Marker;
        }

        public override bool MovePrevious() => false;

        public override void Reset() => pending = false;
    }
}
