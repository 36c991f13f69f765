using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Tests;

/// <summary>
/// A link the test controls between CertLsp's client and one device: the client talks to <see cref="Address"/> as if it were the
/// device; every datagram each way goes through a <see cref="Relay"/> that may forward it, drop it, send it twice, hold it back
/// or send it later. Loopback only (the test runs in its own network namespace).
/// </summary>
internal sealed class FaultyLink : IAsyncDisposable
{
    /// <summary>A datagram on the link, decoded as far as it decodes.</summary>
    public sealed record Packet(byte[] Bytes, ApduHeader? Apdu, byte[] ServiceData)
    {
        public bool Is(ApduType type, ConfirmedService service) => Apdu is { } a && a.Type == type && a.Service == (byte)service;
    }

    /// <summary>Decides what happens to a datagram: call <c>forward</c> as often as it should be delivered (never, once, twice,
    /// later).</summary>
    public delegate void Relay(Packet packet, Action<byte[]> forward);

    private readonly UdpEndpoint clientSide;
    private readonly UdpEndpoint deviceSide;
    private BipEndpoint? client;

    /// <param name="listen">The address the client sends to (the device as the client sees it).</param>
    /// <param name="deviceSide">The address the link sends from to the device.</param>
    /// <param name="device">The real device.</param>
    public FaultyLink(BipEndpoint listen, BipEndpoint deviceSide, BipEndpoint device)
    {
        clientSide = UdpEndpoint.BindUnicast(listen, (datagram, source, _) =>
        {
            client = source;
            ToDevice(Decode(datagram), bytes => this.deviceSide!.Send(bytes, device));
        });
        this.deviceSide = UdpEndpoint.BindUnicast(deviceSide, (datagram, source, _) =>
        {
            if (source == device && this.client is { } client) ToClient(Decode(datagram), bytes => clientSide.Send(bytes, client));
        });
    }

    public BipEndpoint Address => clientSide.Local;

    public Relay ToDevice { get; set; } = Forward;

    public Relay ToClient { get; set; } = Forward;

    public static void Forward(Packet packet, Action<byte[]> forward) => forward(packet.Bytes);

    /// <summary>Sends a datagram to the client as if the device had sent it.</summary>
    public void SendToClient(byte[] bytes)
    {
        if (this.client is { } client) clientSide.Send(bytes, client);
    }

    /// <summary>Delivers a datagram after a delay (the relay returns at once).</summary>
    public static void Later(byte[] bytes, Action<byte[]> forward, TimeSpan delay) => _ =
        Task.Delay(delay).ContinueWith(_ => forward(bytes), TaskScheduler.Default);

    private static Packet Decode(ReadOnlySpan<byte> datagram)
    {
        var bytes = datagram.ToArray();
        var view = BacnetPacket.Decode(bytes);
        return view.Ok ? new Packet(bytes, view.Value.Apdu, view.Value.ServiceData(bytes).ToArray()) : new Packet(bytes, null, []);
    }

    public async ValueTask DisposeAsync()
    {
        await clientSide.DisposeAsync();
        await deviceSide.DisposeAsync();
    }
}
