namespace CertLsp.LanguageServer.Tests;

/// <summary>The tests that send BACnet over loopback UDP (category Network) run one at a time: they share ports and the broadcast
/// address.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class UdpCollection
{
    public const string Name = "BACnet over loopback UDP";
}
