using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Client;

public enum FailureKind
{
    /// <summary>The device answered with an Error PDU (see <see cref="BacnetFailure.Error"/>).</summary>
    Error,
    /// <summary>The device rejected the request (see <see cref="BacnetFailure.RejectReason"/>).</summary>
    Reject,
    /// <summary>The transaction was aborted by the device or by this client (see <see cref="BacnetFailure.AbortReason"/>).</summary>
    Abort,
    /// <summary>No answer within the APDU timeout after every retry.</summary>
    Timeout,
    /// <summary>The answer could not be decoded.</summary>
    Malformed,
    /// <summary>The request cannot be carried (too large for the device's APDU and segmentation limits).</summary>
    TooLarge,
}

/// <summary>Why a confirmed request did not succeed. A protocol outcome, never an exception.</summary>
public sealed record BacnetFailure(FailureKind Kind, string Detail, BacnetError? Error = null, RejectReason? RejectReason = null,
    AbortReason? AbortReason = null)
{
    public static BacnetFailure FromError(BacnetError error) => new(FailureKind.Error, $"error {error.Class}/{error.Code}", Error: error);
    public static BacnetFailure FromReject(RejectReason reason) => new(FailureKind.Reject, $"reject {reason}", RejectReason: reason);
    public static BacnetFailure FromAbort(AbortReason reason, bool byDevice) =>
        new(FailureKind.Abort, $"abort {reason}{(byDevice ? "" : " (by this client)")}", AbortReason: reason);
    public static BacnetFailure Timeout(int attempts) => new(FailureKind.Timeout, $"no answer after {attempts} attempt(s)");
    public static BacnetFailure Malformed(DecodeError error) => new(FailureKind.Malformed, $"malformed answer: {error}");

    public override string ToString() => Detail;
}

/// <summary>A SimpleACK: the request was carried out.</summary>
public readonly record struct Acknowledged;

/// <summary>The outcome of a confirmed request: a value or a <see cref="BacnetFailure"/>.</summary>
public readonly struct BacnetResult<T>
{
    private readonly T value;

    public BacnetResult(T value) { this.value = value; Failure = null; }
    public BacnetResult(BacnetFailure failure) { value = default!; Failure = failure; }

    public BacnetFailure? Failure { get; }
    public bool Ok => Failure is null;
    public T Value => Ok ? value : throw new InvalidOperationException($"No value: {Failure}");

    public static implicit operator BacnetResult<T>(T value) => new(value);
    public static implicit operator BacnetResult<T>(BacnetFailure failure) => new(failure);

    public BacnetResult<TOut> Map<TOut>(Func<T, TOut> map) => Ok ? map(value) : Failure!;

    public override string ToString() => Ok ? $"{value}" : $"{Failure}";
}
