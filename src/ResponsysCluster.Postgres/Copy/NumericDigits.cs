namespace ResponsysCluster.Postgres.Copy;

/// <summary>
/// A decimal as PostgreSQL's binary <c>numeric</c> holds it: base-10000 digits, most significant first, the power
/// of 10000 of the first (<see cref="Weight"/>), the sign and the display scale (the decimal's own scale, so
/// <c>0.50</c> keeps its two places).
/// </summary>
internal readonly record struct NumericDigits(int Count, short Weight, bool Negative, short Scale)
{
    /// <summary>Digits of the largest decimal: 29 integer digits and 28 fraction digits need at most 8 + 7 groups.</summary>
    public const int MaxDigits = 16;

    private const int GroupDigits = 4;
    private const uint Base = 10_000;

    /// <summary>Writes <paramref name="value"/>'s base-10000 digits into <paramref name="digits"/> and describes them.</summary>
    public static NumericDigits Of(decimal value, Span<short> digits)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        if (mantissa == 0) return new NumericDigits(0, 0, false, (short)scale);

        var unit = Pow10(scale);
        var integer = mantissa / unit;
        var fractionGroups = (scale + GroupDigits - 1) / GroupDigits;
        // The fraction's digits, padded on the right to whole groups.
        var fraction = mantissa % unit * Pow10(fractionGroups * GroupDigits - scale);

        Span<short> integerGroups = stackalloc short[MaxDigits];
        var integerCount = 0;
        for (; integer > 0; integer /= Base) integerGroups[integerCount++] = (short)(uint)(integer % Base);

        var count = 0;
        for (var i = integerCount - 1; i >= 0; i--) digits[count++] = integerGroups[i];
        for (var i = fractionGroups - 1; i >= 0; i--) digits[count++] = (short)(uint)(fraction / Pow10(i * GroupDigits) % Base);

        var weight = integerCount - 1;
        var first = 0;
        while (digits[first] == 0) { first++; weight--; }
        var last = count - 1;
        while (digits[last] == 0) last--;
        if (first > 0) digits[first..(last + 1)].CopyTo(digits);
        return new NumericDigits(last - first + 1, (short)weight, negative, (short)scale);
    }

    // 10^0 … 10^31: a decimal's scale (at most 28) and a fraction's padding to whole groups (at most 3 more).
    private static readonly UInt128[] Powers = BuildPowers(32);

    private static UInt128 Pow10(int exponent) => Powers[exponent];

    private static UInt128[] BuildPowers(int count)
    {
        var powers = new UInt128[count];
        powers[0] = 1;
        for (var i = 1; i < count; i++) powers[i] = powers[i - 1] * 10;
        return powers;
    }
}
