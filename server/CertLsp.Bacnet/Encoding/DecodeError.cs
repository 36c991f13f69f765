namespace CertLsp.Bacnet.Encoding;

/// <summary>Why a packet, or part of one, could not be decoded. Decoders return these; they never throw on bad input.</summary>
public enum DecodeFailure
{
    /// <summary>The data ends before the element it announces.</summary>
    Truncated,
    /// <summary>A tag other than the one the grammar requires at this point.</summary>
    WrongTag,
    /// <summary>A length that is not allowed for the element (an unsigned of 9 bytes, an object id of 3).</summary>
    WrongLength,
    /// <summary>More data than the protocol or this implementation accepts (a BVLC length over 1497, a value over its bound).</summary>
    Oversized,
    /// <summary>A value outside its defined range (a BVLC type other than 0x81, an NPDU version other than 1).</summary>
    InvalidValue,
    /// <summary>Something well formed that this implementation does not handle (a BVLC function of a BBMD, a character set).</summary>
    Unsupported,
    /// <summary>Bytes left over after a complete element.</summary>
    TrailingData,
}

/// <summary>A decode failure with the byte offset where it was found (relative to the span handed to the decoder).</summary>
public sealed record DecodeError(DecodeFailure Failure, int Offset, string Detail)
{
    public override string ToString() => $"{Failure} at byte {Offset}: {Detail}";
}

/// <summary>The result of decoding one element: a value or a <see cref="DecodeError"/>.</summary>
public readonly struct Decoded<T>
{
    private readonly T value;

    public Decoded(T value) { this.value = value; Error = null; }
    public Decoded(DecodeError error) { value = default!; Error = error; }

    public DecodeError? Error { get; }
    public bool Ok => Error is null;

    /// <summary>The decoded value; only meaningful when <see cref="Ok"/>.</summary>
    public T Value => Ok ? value : throw new InvalidOperationException($"No value: {Error}");

    public static implicit operator Decoded<T>(T value) => new(value);
    public static implicit operator Decoded<T>(DecodeError error) => new(error);

    public override string ToString() => Ok ? $"{value}" : $"{Error}";
}
