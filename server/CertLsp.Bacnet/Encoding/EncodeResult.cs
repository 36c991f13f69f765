namespace CertLsp.Bacnet.Encoding;

/// <summary>The outcome of an encoder: the number of bytes written, or that the buffer was too small.</summary>
public readonly record struct EncodeResult(int Length, bool Overflowed, int Capacity)
{
    public static EncodeResult Done(int length) => new(length, false, 0);
    public static EncodeResult Overflow(int capacity) => new(0, true, capacity);
    public bool Ok => !Overflowed;
}
