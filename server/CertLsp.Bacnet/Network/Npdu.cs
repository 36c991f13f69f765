using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.Network;

public enum NetworkPriority : byte { Normal = 0, Urgent = 1, CriticalEquipment = 2, LifeSafety = 3 }

/// <summary>Network layer message types (6.2.4); values 0x80 and up are proprietary and carry a vendor id.</summary>
public enum NetworkMessageType : byte
{
    WhoIsRouterToNetwork = 0x00, IAmRouterToNetwork = 0x01, ICouldBeRouterToNetwork = 0x02, RejectMessageToNetwork = 0x03,
    RouterBusyToNetwork = 0x04, RouterAvailableToNetwork = 0x05, InitializeRoutingTable = 0x06, InitializeRoutingTableAck = 0x07,
    EstablishConnectionToNetwork = 0x08, DisconnectConnectionToNetwork = 0x09, ChallengeRequest = 0x0A, SecurityPayload = 0x0B,
    SecurityResponse = 0x0C, RequestKeyUpdate = 0x0D, UpdateKeySet = 0x0E, UpdateDistributionKey = 0x0F,
    RequestMasterKey = 0x10, SetMasterKey = 0x11, WhatIsNetworkNumber = 0x12, NetworkNumberIs = 0x13,
}

/// <summary>
/// An NPDU header (clause 6.2): routing information, and either an APDU or a network layer message after it
/// starting at <see cref="PayloadOffset"/> (relative to the NPDU).
/// </summary>
public readonly record struct NpduHeader(
    bool ExpectingReply = false,
    NetworkPriority Priority = NetworkPriority.Normal,
    NetworkAddress? Destination = null,
    NetworkAddress? Source = null,
    byte HopCount = 255,
    NetworkMessageType? MessageType = null,
    ushort VendorId = 0,
    int PayloadOffset = 0)
{
    public const byte Version = 1;

    public bool IsNetworkMessage => MessageType is not null;

    public static NpduHeader Local(bool expectingReply) => new(ExpectingReply: expectingReply);

    public static NpduHeader GlobalBroadcast => new(Destination: NetworkAddress.GlobalBroadcast);
}

public static class Npdu
{
    /// <summary>Writes the header; the APDU (or network message content) follows.</summary>
    public static void Encode(ref BacnetWriter writer, in NpduHeader header)
    {
        writer.WriteByte(NpduHeader.Version);
        var control = (byte)header.Priority;
        if (header.MessageType is not null) control |= 0x80;
        if (header.Destination is not null) control |= 0x20;
        if (header.Source is not null) control |= 0x08;
        if (header.ExpectingReply) control |= 0x04;
        writer.WriteByte(control);
        if (header.Destination is { } d)
        {
            writer.WriteUInt16(d.Network);
            writer.WriteByte(d.MacLength);
            writer.WriteBytes(d.Mac);
        }
        if (header.Source is { } s)
        {
            if (s.MacLength == 0 || s.Network == NetworkAddress.GlobalNetwork)
                throw new ArgumentException("a source address needs a MAC and a network number other than 0xFFFF");
            writer.WriteUInt16(s.Network);
            writer.WriteByte(s.MacLength);
            writer.WriteBytes(s.Mac);
        }
        if (header.Destination is not null) writer.WriteByte(header.HopCount);
        if (header.MessageType is { } type)
        {
            writer.WriteByte((byte)type);
            if ((byte)type >= 0x80) writer.WriteUInt16(header.VendorId);
        }
    }

    public static Decoded<NpduHeader> Decode(ReadOnlySpan<byte> npdu)
    {
        var r = new BacnetReader(npdu);
        var version = r.ReadByte();
        if (!version.Ok) return version.Error!;
        if (version.Value != NpduHeader.Version) return new DecodeError(DecodeFailure.InvalidValue, 0,
            $"NPDU version {version.Value} (must be 1)");
        var control = r.ReadByte();
        if (!control.Ok) return control.Error!;
        var c = control.Value;
        if ((c & 0x50) != 0) return new DecodeError(DecodeFailure.InvalidValue, 1, $"NPDU control 0x{c:X2} sets reserved bits");
        NetworkAddress? destination = null, source = null;
        byte hops = 255;
        if ((c & 0x20) != 0)
        {
            var d = ReadAddress(ref r, "DNET");
            if (!d.Ok) return d.Error!;
            destination = d.Value;
        }
        if ((c & 0x08) != 0)
        {
            var s = ReadAddress(ref r, "SNET");
            if (!s.Ok) return s.Error!;
            if (s.Value.MacLength == 0) return new DecodeError(DecodeFailure.WrongLength, r.Position - 1,
                "SLEN 0 (a source cannot be a broadcast)");
            if (s.Value.Network == NetworkAddress.GlobalNetwork) return new DecodeError(DecodeFailure.InvalidValue, r.Position - 3,
                "SNET 0xFFFF");
            source = s.Value;
        }
        if (destination is not null)
        {
            var h = r.ReadByte();
            if (!h.Ok) return h.Error!;
            hops = h.Value;
        }
        NetworkMessageType? type = null;
        ushort vendor = 0;
        if ((c & 0x80) != 0)
        {
            var t = r.ReadByte();
            if (!t.Ok) return t.Error!;
            type = (NetworkMessageType)t.Value;
            if (t.Value >= 0x80)
            {
                var v = r.ReadUInt16();
                if (!v.Ok) return v.Error!;
                vendor = v.Value;
            }
        }
        else if (r.AtEnd)
        {
            return new DecodeError(DecodeFailure.Truncated, r.Position, "NPDU without an APDU");
        }

        return new NpduHeader((c & 0x04) != 0, (NetworkPriority)(c & 0x03), destination, source, hops, type, vendor, r.Position);
    }

    private static Decoded<NetworkAddress> ReadAddress(ref BacnetReader r, string what)
    {
        var net = r.ReadUInt16();
        if (!net.Ok) return net.Error!;
        var len = r.ReadByte();
        if (!len.Ok) return len.Error!;
        if (len.Value > NetworkAddress.MaxMacLength)
            return new DecodeError(DecodeFailure.WrongLength, r.Position - 1,
                $"{what} address length {len.Value} (at most {NetworkAddress.MaxMacLength})");
        if (r.Remaining < len.Value) return new DecodeError(DecodeFailure.Truncated, r.Position, $"{what} address of {len.Value} bytes");
        var address = new NetworkAddress(net.Value, r.Rest[..len.Value]);
        for (var i = 0; i < len.Value; i++) r.ReadByte();
        return address;
    }
}
