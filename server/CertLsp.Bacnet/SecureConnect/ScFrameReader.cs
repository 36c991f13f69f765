using System.Net.WebSockets;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>What one read of a BVLC-SC message from a WebSocket gave.</summary>
public enum ScFrameKind
{
    /// <summary>A whole binary message, in the buffer.</summary>
    Message,

    /// <summary>The peer closed the WebSocket.</summary>
    Closed,

    /// <summary>A text message (BVLC-SC messages are binary), read to its end and discarded.</summary>
    Text,

    /// <summary>A message longer than the buffer: its first octets are in the buffer, the rest was read and discarded.</summary>
    TooLong,
}

/// <summary>
/// Reads one whole BVLC-SC message (one WebSocket message, AB.7.5.3) into a buffer of the largest length accepted, for the node's
/// hub connector and the hub function alike: never more than the buffer is kept, a longer message is read to its end (so the
/// next read starts at a message boundary) and reported, a text message likewise.
/// </summary>
public static class ScFrameReader
{
    public static async Task<(ScFrameKind Kind, int Length)> ReceiveAsync(WebSocket socket, byte[] buffer,
        CancellationToken cancellationToken)
    {
        var length = 0;
        var tooLong = false;
        var text = false;
        while (true)
        {
            var segment = length < buffer.Length ? buffer.AsMemory(length) : buffer.AsMemory(0);
            var result = await socket.ReceiveAsync(segment, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close) return (ScFrameKind.Closed, 0);
            text |= result.MessageType == WebSocketMessageType.Text;
            if (length < buffer.Length) length += result.Count; else tooLong = true;
            if (length == buffer.Length && !result.EndOfMessage) tooLong = true;
            if (!result.EndOfMessage) continue;
            return text ? (ScFrameKind.Text, length) : tooLong ? (ScFrameKind.TooLong, length) : (ScFrameKind.Message, length);
        }
    }
}
