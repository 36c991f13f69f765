namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// Draws Message-IDs for the requests a node originates (AB.2.2: any value that lets it match the answer): a counter from a
/// random start, safe to share between threads. Answers do not draw one: they echo the request's Message-ID.
/// </summary>
public sealed class ScMessageIds
{
    private int next;

    public ScMessageIds() : this((ushort)Random.Shared.Next(ushort.MaxValue + 1)) { }

    public ScMessageIds(ushort start) => next = start - 1;

    public ushort Next() => (ushort)Interlocked.Increment(ref next);
}
