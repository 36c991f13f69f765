namespace CertLsp.Bacnet.Encoding;

/// <summary>Application tag numbers (20.2.1.4).</summary>
public enum ApplicationTag : byte
{
    Null = 0, Boolean = 1, Unsigned = 2, Signed = 3, Real = 4, Double = 5, OctetString = 6, CharacterString = 7,
    BitString = 8, Enumerated = 9, Date = 10, Time = 11, ObjectIdentifier = 12,
}

public enum TagKind : byte { Primitive, Opening, Closing }

/// <summary>
/// A decoded tag header. For a primitive tag <see cref="Length"/> is the content length, except the application
/// boolean whose value is the length/value/type field itself (its content is empty).
/// </summary>
public readonly record struct TagHeader(byte Number, bool IsContext, TagKind Kind, uint Length, int HeaderLength)
{
    public bool IsApplicationBoolean => !IsContext && Kind == TagKind.Primitive && Number == (byte)ApplicationTag.Boolean;

    /// <summary>Bytes of content after the header.</summary>
    public uint ContentLength => Kind != TagKind.Primitive || IsApplicationBoolean ? 0 : Length;

    public bool IsOpening(byte number) => IsContext && Kind == TagKind.Opening && Number == number;
    public bool IsClosing(byte number) => IsContext && Kind == TagKind.Closing && Number == number;
    public bool IsContextPrimitive(byte number) => IsContext && Kind == TagKind.Primitive && Number == number;
}
