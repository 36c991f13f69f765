using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Bacnet.Simulator;

/// <summary>
/// How a <see cref="SimulatedSite"/> runs as a BACnet/SC site (<see cref="SimulatedSite.StartAsync"/>): the hub it runs (if any),
/// the hubs its devices join, the site's issuer certificates and the devices' connection timing.
/// </summary>
public sealed record SimulatedScOptions
{
    /// <summary>The site's issuer certificates (no private keys): the devices verify their hub against them, and a device that
    /// starts with an <see cref="SimulatedDeviceSpec.InitialCertificate"/> has them installed as its issuer certificate files.
    /// </summary>
    public required IReadOnlyList<X509Certificate2> Issuers { get; init; }

    /// <summary>The hub the site runs (Kestrel, wss on a 127.x address): its certificate must come from the site's CA with
    /// serverAuth and clientAuth and the address in its subjectAltName, its verifier check the site's issuers. Null: the site runs
    /// no hub (its devices join <see cref="PrimaryHub"/>, which may be down).</summary>
    public ScHubHostOptions? Hub { get; init; }

    /// <summary>SC_Primary_Hub_URI of the devices; null: the URI of the site's own <see cref="Hub"/>.</summary>
    public Uri? PrimaryHub { get; init; }

    /// <summary>SC_Failover_Hub_URI of the devices, or none.</summary>
    public Uri? FailoverHub { get; init; }

    /// <summary>SC_Minimum_Reconnect_Time and SC_Maximum_Reconnect_Time (whole seconds on the Network Port, at least 1). The other
    /// timeouts are the hub connector's defaults (<see cref="SecureConnect.ScConnectorOptions"/>).</summary>
    public TimeSpan MinimumReconnectTime { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaximumReconnectTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Lines about the devices' hub connections (joined, refused and why); never anything about a key.</summary>
    public Action<string>? Log { get; init; }
}
