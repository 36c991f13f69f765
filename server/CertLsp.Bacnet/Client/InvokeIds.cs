using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Network;

namespace CertLsp.Bacnet.Client;

/// <summary>
/// Invoke ids, one sequence per peer (clause 5.4.2: an id identifies a transaction with one peer). Each peer's ids rotate through
/// all 256 values, so an id comes back for a peer only after 255 other requests to that same peer; and an id whose transaction
/// ended without a clean answer (a timeout, a resend, an abort, a cancellation) is held back for a while, because the device may
/// still answer it: such a late answer must find no transaction rather than a new request that reused the id.
/// </summary>
internal sealed class InvokeIds(TimeSpan hold, TimeProvider time)
{
    private readonly object gate = new();
    private readonly Dictionary<(BacnetMac, NetworkAddress?), Peer> peers = [];

    private sealed class Peer
    {
        public byte Next;
        public readonly bool[] InUse = new bool[256];
        public readonly Dictionary<byte, long> HeldUntil = [];
    }

    /// <summary>The next id free for the peer, or null when all 256 are in use or held (the caller waits and asks again).</summary>
    public byte? TryTake(BacnetMac endpoint, NetworkAddress? remote)
    {
        lock (gate)
        {
            if (!peers.TryGetValue((endpoint, remote), out var peer)) peers[(endpoint, remote)] = peer = new Peer();
            var now = time.GetTimestamp();
            for (var n = 0; n < 256; n++)
            {
                var id = unchecked((byte)(peer.Next + n));
                if (peer.InUse[id]) continue;
                if (peer.HeldUntil.TryGetValue(id, out var until))
                {
                    if (until > now) continue;
                    peer.HeldUntil.Remove(id);
                }
                peer.InUse[id] = true;
                peer.Next = unchecked((byte)(id + 1));
                return id;
            }
            return null;
        }
    }

    /// <summary>Gives an id back; <paramref name="clean"/> false holds it back from reuse for the hold time.</summary>
    public void Release(BacnetMac endpoint, NetworkAddress? remote, byte id, bool clean)
    {
        lock (gate)
        {
            if (!peers.TryGetValue((endpoint, remote), out var peer)) return;
            peer.InUse[id] = false;
            if (!clean) peer.HeldUntil[id] = time.GetTimestamp() + (long)(hold.TotalSeconds * time.TimestampFrequency);
        }
    }
}
