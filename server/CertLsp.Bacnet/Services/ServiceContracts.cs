using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Services;

/// <summary>Decodes service data (the bytes after the APDU header) into a value or a decode error.</summary>
public delegate Decoded<T> ServiceDecoder<T>(ReadOnlySpan<byte> serviceData);

/// <summary>A confirmed service request: which service, and how its data is encoded.</summary>
public interface IConfirmedRequest
{
    ConfirmedService Service { get; }
    void Encode(ref BacnetWriter writer);
}

/// <summary>An unconfirmed service request.</summary>
public interface IUnconfirmedRequest
{
    UnconfirmedService Service { get; }
    void Encode(ref BacnetWriter writer);
}

/// <summary>The data of a ComplexACK.</summary>
public interface IComplexAck
{
    void Encode(ref BacnetWriter writer);
}

