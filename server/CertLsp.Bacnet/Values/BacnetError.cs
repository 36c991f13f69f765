namespace CertLsp.Bacnet;

/// <summary>A BACnet error: class and code, as a device reports it in an Error PDU or a property access result.</summary>
public readonly record struct BacnetError(ErrorClass Class, ErrorCode Code)
{
    public override string ToString() => $"{Class}/{Code}";
}
