using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.Client;
using CertLsp.Bacnet.Link;
using CertLsp.Bacnet.SecureConnect;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Simulator;
using CertLsp.Bacnet.Transport;
using CertLsp.Core.Certificates;
using Xunit;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// A simulated BACnet/SC site (<see cref="SimulatedSite.StartAsync"/>): its hub on 127.0.16.x, devices that join it with their
/// own key and active certificate, a tool (a <see cref="BacnetClient"/> over <see cref="ScDatalink"/> with a tool certificate)
/// that finds and reads them through the hub, renewal over SC that moves a device to its new certificate, a failed activation that
/// leaves it on the old one, every certificate fault reported in the device's SC_Primary_Hub_Connection_Status, and a hub that is
/// down at start.
/// </summary>
public sealed class ScSimulatedSiteTests : IDisposable
{
    private static readonly ObjectId ScPortId = ObjectId.NetworkPort(SimulatedDevice.ScPort);
    private readonly TestAuthority ca = new("SC Site Test CA");

    public void Dispose() => ca.Dispose();

    private SimulatedScOptions Options(IPAddress hub, int port = 0) => new()
    {
        Issuers = [ca.PublicCertificate],
        Hub = new ScHubHostOptions(hub, port, ca.Issue(CertificateRole.Hub, "hub", hub.ToString()),
            new ScPeerVerifier([ca.PublicCertificate])),
        MinimumReconnectTime = TimeSpan.FromMilliseconds(100),
        MaximumReconnectTime = TimeSpan.FromSeconds(1),
    };

    /// <summary>SC-only devices 2001.. with certificates from the site's CA for their own keys.</summary>
    private IEnumerable<SimulatedDeviceSpec> ScOnlyDevices(int count) => Enumerable.Range(0, count).Select(i =>
        new SimulatedDeviceSpec(2001 + (uint)i, IPAddress.Parse($"127.0.16.{100 + i}"))
        {
            ScOnly = true, InitialCertificate = ca.Issue(CertificateRole.Device, $"SimDevice{2001 + i}"),
        });

    private async Task<(BacnetClient Client, ScDatalink Link)> ToolAsync(Uri hub)
    {
        var link = new ScDatalink(new ScConnectorOptions
        {
            PrimaryHub = hub,
            Certificate = ca.Issue(CertificateRole.Tool, "tool"),
            VerifyHub = new ScPeerVerifier([ca.PublicCertificate]).CheckHub,
            MinimumReconnectTime = TimeSpan.FromMilliseconds(100),
        });
        Assert.True(await link.Connector.WaitUntilAsync(c => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub, Waits.HangGuard),
            $"the tool did not join: {link.Connector.PrimaryStatus}");
        return (BacnetClient.Start(link, new BacnetClientOptions { ApduTimeout = TimeSpan.FromSeconds(3), Retries = 3 }), link);
    }

    /// <summary>Once <paramref name="device"/> has joined <paramref name="hub"/>: a tool on the hub and the device's address found
    /// by Who-Is.</summary>
    private async Task<(BacnetClient Client, ScDatalink Link, BacnetAddress Device)> ToolFindingAsync(ScHubHost hub,
        SimulatedDevice device)
    {
        await Joined(device);
        var (client, link) = await ToolAsync(hub.Uri);
        var instance = device.Spec.Instance;
        var found = Assert.Single(await client.WhoIsAsync(new WhoIs(instance, instance), Waits.HangGuard, expected: 1));
        return (client, link, found.Address);
    }

    private static async Task Joined(SimulatedDevice device)
    {
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (device.HubConnector is null && DateTime.UtcNow < deadline) await Task.Delay(20);
        var connector = device.HubConnector ?? throw new InvalidOperationException($"device {device.Spec.Instance} has no connector");
        Assert.True(await connector.WaitUntilAsync(c => c.State == ScHubConnectionStatus.ConnectedToPrimaryHub, Waits.HangGuard),
            $"device {device.Spec.Instance} did not join: {connector.PrimaryStatus}");
    }

    private static async Task<ScHubConnectionReport> PrimaryStatusAsync(BacnetClient client, BacnetAddress device)
    {
        var read = await client.ReadPropertyAsync(device, ScPortId, PropertyIdentifier.ScPrimaryHubConnectionStatus);
        Assert.True(read.Ok, read.ToString());
        Assert.True(BacnetScHubConnection.TryDecode(read.Value.Values, out var report, out var problem), problem);
        return report;
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Sc_only_devices_join_the_hub_and_a_tool_finds_and_reads_them_through_it()
    {
        LoopbackNamespace.Require();
        await using var site = await SimulatedSite.StartAsync(ScOnlyDevices(3), 47808, null, Options(IPAddress.Parse("127.0.16.2")));
        Assert.NotNull(site.Hub);
        Assert.Equal("wss://127.0.16.2:", site.Hub.Uri.ToString()[..17]);
        foreach (var device in site.Devices) await Joined(device);
        var (client, link) = await ToolAsync(site.Hub.Uri);
        await using var toolLink = link;
        await using var tool = client;

        var found = await client.WhoIsAsync(new WhoIs(), Waits.HangGuard, expected: 3);
        Assert.Equal([2001u, 2002u, 2003u], found.Select(d => d.Instance).Order());
        var first = found.Single(d => d.Instance == 2001);
        Assert.Equal(site[2001].HubConnector!.Vmac, first.Address.Mac.Vmac);

        var name = await client.ReadPropertyAsync(first.Address, ObjectId.Device(2001), PropertyIdentifier.ObjectName);
        Assert.True(name.Ok, name.ToString());
        Assert.Equal(new BacnetValue.CharacterString("SimDevice2001"), Assert.Single(name.Value.Values));
        // no BACnet/IP port on an SC-only device
        var objects = await client.ReadPropertyAsync(first.Address, ObjectId.Device(2001), PropertyIdentifier.ObjectList);
        Assert.True(objects.Ok, objects.ToString());
        Assert.DoesNotContain(BacnetValue.From(ObjectId.NetworkPort(SimulatedDevice.IpPort)), objects.Value.Values);

        var port = await client.ReadPropertyMultipleAsync(first.Address, ReadPropertyMultipleRequest.Of(ScPortId,
            PropertyIdentifier.NetworkType, PropertyIdentifier.ScPrimaryHubUri, PropertyIdentifier.ScFailoverHubUri,
            PropertyIdentifier.ScHubConnectorState, PropertyIdentifier.MaxBvlcLengthAccepted, PropertyIdentifier.MaxNpduLengthAccepted,
            PropertyIdentifier.ScMinimumReconnectTime, PropertyIdentifier.ScMaximumReconnectTime, PropertyIdentifier.ScHeartbeatTimeout,
            PropertyIdentifier.ScHubFunctionEnable, PropertyIdentifier.MacAddress));
        Assert.True(port.Ok, port.ToString());
        var values = Assert.Single(port.Value.Results).Results.ToDictionary(r => r.Property, r => Assert.Single(r.Values));
        Assert.Equal(BacnetValue.FromEnumerated(11), values[PropertyIdentifier.NetworkType]);
        Assert.Equal(BacnetValue.From(site.Hub.Uri.ToString()), values[PropertyIdentifier.ScPrimaryHubUri]);
        Assert.Equal(BacnetValue.From(""), values[PropertyIdentifier.ScFailoverHubUri]);
        Assert.Equal(BacnetValue.FromEnumerated(1), values[PropertyIdentifier.ScHubConnectorState]);  // connected-to-primary
        Assert.Equal(BacnetValue.FromUnsigned(1600), values[PropertyIdentifier.MaxBvlcLengthAccepted]);
        Assert.Equal(BacnetValue.FromUnsigned(1497), values[PropertyIdentifier.MaxNpduLengthAccepted]);
        Assert.Equal(BacnetValue.FromUnsigned(1), values[PropertyIdentifier.ScMinimumReconnectTime]);
        Assert.Equal(BacnetValue.FromUnsigned(1), values[PropertyIdentifier.ScMaximumReconnectTime]);
        Assert.Equal(BacnetValue.FromUnsigned(300), values[PropertyIdentifier.ScHeartbeatTimeout]);
        Assert.Equal(BacnetValue.From(false), values[PropertyIdentifier.ScHubFunctionEnable]);
        var vmac = new byte[6];
        site[2001].HubConnector!.Vmac.WriteTo(vmac);
        Assert.Equal(BacnetValue.FromBytes(vmac), values[PropertyIdentifier.MacAddress]);

        var status = await PrimaryStatusAsync(client, first.Address);
        Assert.Equal(ScConnectionState.Connected, status.State);
        Assert.NotNull(status.ConnectTime);
        Assert.True(status.ConnectTime <= DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Null(status.Error);
        var failover = await client.ReadPropertyAsync(first.Address, ScPortId, PropertyIdentifier.ScFailoverHubConnectionStatus);
        Assert.True(BacnetScHubConnection.TryDecode(failover.Value.Values, out var failoverStatus, out _));
        Assert.Equal(ScHubConnectionReport.Initial, failoverStatus);

        // the hub saw each device's own certificate
        foreach (var device in site.Devices)
            Assert.Equal(device.ActiveCertificate!.Thumbprint, site.Hub.CertificateOf(device.HubConnector!.Vmac)?.Thumbprint);
        Assert.Equal(0, site.MalformedReceived);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Renewal_over_sc_moves_the_device_to_its_new_certificate_and_a_failed_activation_keeps_the_old_one()
    {
        LoopbackNamespace.Require();
        await using var site = await SimulatedSite.StartAsync(ScOnlyDevices(1), 47808, null, Options(IPAddress.Parse("127.0.16.3")));
        var device = site[2001];
        var (client, link, address) = await ToolFindingAsync(site.Hub!, device);
        await using var toolLink = link;
        await using var tool = client;
        var oldCertificate = device.ActiveCertificate!;
        var oldKey = device.ActivePublicKey;

        var provisioning = new CertificateProvisioning(client);
        var (installed, renewed) = await RenewAsync(provisioning, address, device, ca);
        Assert.True(installed.Ok, installed + " / " + device.LastActivationProblem);

        Assert.Equal(renewed.Thumbprint, device.ActiveCertificate!.Thumbprint);
        Assert.NotEqual(oldKey, device.ActivePublicKey);
        await WaitFor(() => device.HubConnector is { State: ScHubConnectionStatus.ConnectedToPrimaryHub } connector
            && site.Hub!.CertificateOf(connector.Vmac)?.Thumbprint == renewed.Thumbprint, "the hub sees the renewed certificate");
        Assert.Equal(ScConnectionState.Connected, (await PrimaryStatusAsync(client, address)).State);

        // A certificate from another CA: the activation fails and the device stays joined with the renewed certificate.
        using var other = new TestAuthority("Other CA");
        var (refused, _) = await RenewAsync(provisioning, address, device, other);
        Assert.False(refused.Ok);
        Assert.Equal("the certificate is not signed by an installed issuer certificate", device.LastActivationProblem);
        Assert.True((await provisioning.DiscardChangesAsync(address, ScPortId)).Ok);
        Assert.Equal(renewed.Thumbprint, device.ActiveCertificate!.Thumbprint);
        Assert.Equal(ScHubConnectionStatus.ConnectedToPrimaryHub, device.HubConnector!.State);
        Assert.Equal(renewed.Thumbprint, site.Hub!.CertificateOf(device.HubConnector.Vmac)?.Thumbprint);
        Assert.NotEqual(oldCertificate.Thumbprint, renewed.Thumbprint);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_device_without_a_certificate_joins_once_its_first_certificate_is_activated_over_bacnet_ip()
    {
        LoopbackNamespace.Require();
        const ushort port = 47931;
        var spec = new SimulatedDeviceSpec(2101, IPAddress.Parse("127.0.16.120"));
        await using var site = await SimulatedSite.StartAsync([spec], port, null, Options(IPAddress.Parse("127.0.16.4")));
        var device = site[2101];
        Assert.Null(device.HubConnector);
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.16.121", 0),
            BipEndpoint.Parse("127.255.255.255", port))
        { ApduTimeout = TimeSpan.FromSeconds(3) });
        BacnetAddress address = BipEndpoint.Parse("127.0.16.120", port);
        var state = await client.ReadPropertyAsync(address, ScPortId, PropertyIdentifier.ScHubConnectorState);
        Assert.Equal(BacnetValue.FromEnumerated(0), Assert.Single(state.Value.Values));  // no-hub-connection
        Assert.Equal(ScConnectionState.NotConnected, (await PrimaryStatusAsync(client, address)).State);

        var (installed, certificate) = await RenewAsync(new CertificateProvisioning(client), address, device, ca);
        Assert.True(installed.Ok, installed + " / " + device.LastActivationProblem);
        await Joined(device);
        Assert.Equal(certificate.Thumbprint, site.Hub!.CertificateOf(device.HubConnector!.Vmac)?.Thumbprint);
        var status = await PrimaryStatusAsync(client, address);
        Assert.Equal(ScConnectionState.Connected, status.State);
    }

    /// <summary>Each wrong certificate fails the handshake with the hub; the device's Network Port, read over BACnet/IP, says
    /// failed-to-connect and why, and the hub recorded the refusal.</summary>
    [NeedsFact(Needs.Namespace)]
    public async Task Every_certificate_fault_ends_in_failed_to_connect_with_the_reason()
    {
        LoopbackNamespace.Require();
        const ushort port = 47932;
        using var other = new TestAuthority("Other CA");
        var faults = new (string Expected, ScErrorCode Code, SimulatedDeviceSpec Spec)[]
        {
            ("certificate from another CA", ScErrorCode.TlsClientCertificateError,
                Faulty(2201, other.Issue(CertificateRole.Device, "SimDevice2201"))),
            ("expired on", ScErrorCode.TlsClientCertificateExpired, Faulty(2202, ca.Expired(CertificateRole.Device, "SimDevice2202"))),
            ("no clientAuth in extended key usage", ScErrorCode.TlsClientCertificateError,
                Faulty(2203, ca.ServerAuthOnly("SimDevice2203"))),
            ("not the device's key", ScErrorCode.TlsClientCertificateError,
                Faulty(2204, ca.Issue(CertificateRole.Device, "SimDevice2204")) with
                {
                    InitialKey = ECDsa.Create(ECCurve.NamedCurves.nistP256),
                }),
        };
        await using var site = await SimulatedSite.StartAsync(faults.Select(f => f.Spec), port, null,
            Options(IPAddress.Parse("127.0.16.6")));
        await using var client = BacnetClient.Start(new BacnetClientOptions(BipEndpoint.Parse("127.0.16.139", 0), null)
        {
            ApduTimeout = TimeSpan.FromSeconds(3),
        });
        foreach (var (expected, code, spec) in faults)
        {
            BacnetAddress address = BipEndpoint.Parse(spec.Address.ToString(), port);
            ScHubConnectionReport status = ScHubConnectionReport.Initial;
            var deadline = DateTime.UtcNow + Waits.HangGuard;
            while (status.State != ScConnectionState.FailedToConnect && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
                status = await PrimaryStatusAsync(client, address);
            }
            Assert.Equal(ScConnectionState.FailedToConnect, status.State);
            Assert.Contains(expected, status.ErrorDetails, StringComparison.Ordinal);
            Assert.Equal(code, status.Error);
            Assert.NotNull(status.DisconnectTime);
            var state = await client.ReadPropertyAsync(address, ScPortId, PropertyIdentifier.ScHubConnectorState);
            Assert.Equal(BacnetValue.FromEnumerated(0), Assert.Single(state.Value.Values));
        }
        // the hub refused the three that reached the handshake, each for its reason
        foreach (var reason in new[] { "certificate from another CA", "expired on", "no clientAuth" })
            Assert.Contains(site.Hub!.Hub.Connections, c => c.ErrorDetails?.Contains(reason, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(site.Hub!.Hub.Connections, c => c.State == ScConnectionState.Connected);
    }

    private static SimulatedDeviceSpec Faulty(uint instance, X509Certificate2 certificate) =>
        new(instance, IPAddress.Parse($"127.0.16.{140 + instance - 2200}")) { InitialCertificate = certificate };

    [NeedsFact(Needs.Namespace)]
    public async Task A_hub_down_at_start_is_retried_with_back_off_until_it_is_up()
    {
        LoopbackNamespace.Require();
        var hubAddress = IPAddress.Parse("127.0.16.7");
        var hubUri = new Uri("wss://127.0.16.7:47443/");
        var options = Options(hubAddress, 47443);
        await using var site = await SimulatedSite.StartAsync(ScOnlyDevices(1), 47808, null, options with
        {
            Hub = null,
            PrimaryHub = hubUri,
        });
        var device = site[2001];
        Assert.Null(site.Hub);
        var connector = device.HubConnector!;
        Assert.True(await connector.WaitUntilAsync(c => c.PrimaryStatus.State == ScConnectionState.FailedToConnect, Waits.HangGuard));
        var first = connector.PrimaryStatus;
        Assert.Equal(ScErrorCode.TcpConnectionRefused, first.Error);
        Assert.Equal("connection refused", first.ErrorDetails);
        Assert.Equal(ScHubConnectionStatus.NoHubConnection, connector.State);
        // it tries again (the failure is recorded anew)
        Assert.True(await connector.WaitUntilAsync(c => c.PrimaryStatus.DisconnectTime > first.DisconnectTime, Waits.HangGuard));

        await using var hub = await ScHubHost.StartAsync(options.Hub!);
        Assert.Equal(hubUri, hub.Uri);
        await Joined(device);
        Assert.Equal(ScConnectionState.Connected, device.HubConnector!.PrimaryStatus.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task A_device_whose_primary_hub_is_down_joins_the_failover_hub_and_says_so()
    {
        LoopbackNamespace.Require();
        var options = Options(IPAddress.Parse("127.0.16.8"));
        var deadHub = new Uri("wss://127.0.16.9:47445/");  // nothing listens there
        await using var site = await SimulatedSite.StartAsync([], 47808, null, options);  // the hub alone: the failover
        await using var failoverSite = await SimulatedSite.StartAsync(ScOnlyDevices(1), 47808, null, options with
        {
            Hub = null,
            PrimaryHub = deadHub,
            FailoverHub = site.Hub!.Uri,
        });
        var device = failoverSite[2001];
        var connector = device.HubConnector!;
        Assert.True(await connector.WaitUntilAsync(c => c.State == ScHubConnectionStatus.ConnectedToFailoverHub, Waits.HangGuard),
            $"{connector.PrimaryStatus} / {connector.FailoverStatus}");
        Assert.Equal(ScConnectionState.FailedToConnect, connector.PrimaryStatus.State);
        Assert.Equal(ScConnectionState.Connected, connector.FailoverStatus.State);
        var (client, link) = await ToolAsync(site.Hub!.Uri);
        await using var toolLink = link;
        await using var tool = client;
        var failoverDevice = Assert.Single(await client.WhoIsAsync(new WhoIs(2001, 2001), Waits.HangGuard, expected: 1));
        Assert.Equal(connector.Vmac, failoverDevice.Address.Mac.Vmac);
        var values = await client.ReadPropertyMultipleAsync(failoverDevice.Address, ReadPropertyMultipleRequest.Of(ScPortId,
            PropertyIdentifier.ScHubConnectorState, PropertyIdentifier.ScFailoverHubUri, PropertyIdentifier.ScPrimaryHubConnectionStatus,
            PropertyIdentifier.ScFailoverHubConnectionStatus));
        Assert.True(values.Ok, values.ToString());
        var results = Assert.Single(values.Value.Results).Results.ToDictionary(r => r.Property, r => r.Values);
        Assert.Equal(BacnetValue.FromEnumerated(2), Assert.Single(results[PropertyIdentifier.ScHubConnectorState]));
        Assert.Equal(BacnetValue.From(site.Hub.Uri.ToString()), Assert.Single(results[PropertyIdentifier.ScFailoverHubUri]));
        Assert.True(BacnetScHubConnection.TryDecode(results[PropertyIdentifier.ScPrimaryHubConnectionStatus], out var primary, out _));
        Assert.Equal(ScConnectionState.FailedToConnect, primary.State);
        Assert.Equal(ScErrorCode.TcpConnectionRefused, primary.Error);
        Assert.True(BacnetScHubConnection.TryDecode(results[PropertyIdentifier.ScFailoverHubConnectionStatus], out var failover, out _));
        Assert.Equal(ScConnectionState.Connected, failover.State);
    }

    [NeedsFact(Needs.Namespace)]
    public async Task Writing_sc_primary_hub_uri_moves_the_device_to_that_hub()
    {
        LoopbackNamespace.Require();
        await using var first = await SimulatedSite.StartAsync(ScOnlyDevices(1), 47808, null, Options(IPAddress.Parse("127.0.16.10")));
        await using var second = await SimulatedSite.StartAsync([], 47808, null, Options(IPAddress.Parse("127.0.16.11")));
        var device = first[2001];
        var (client, link, address) = await ToolFindingAsync(first.Hub!, device);
        await using var toolLink = link;
        await using var tool = client;
        var refused = await client.WritePropertyAsync(address, WritePropertyRequest.Of(ScPortId, PropertyIdentifier.ScPrimaryHubUri,
            BacnetValue.From("https://127.0.16.11/")));
        Assert.Equal(ErrorCode.ValueOutOfRange, refused.Failure?.Error?.Code);
        var written = await client.WritePropertyAsync(address, WritePropertyRequest.Of(ScPortId, PropertyIdentifier.ScPrimaryHubUri,
            BacnetValue.From(second.Hub!.Uri.ToString())));
        Assert.True(written.Ok, written.ToString());
        await WaitFor(() => second.Hub.Hub.Connections.Any(c => c.State == ScConnectionState.Connected), "the device joins the new hub");
        await Joined(device);
        Assert.Equal(device.ActiveCertificate!.Thumbprint, second.Hub.CertificateOf(device.HubConnector!.Vmac)?.Thumbprint);
        Assert.DoesNotContain(first.Hub!.Hub.Connections, c => c.State == ScConnectionState.Connected && c.PeerVmac == device.DefaultVmac);
    }

    /// <summary>The renewal flow: CSR from the device, signed by <paramref name="signer"/>, installed with the site's CA as issuer
    /// and activated.</summary>
    private async Task<(BacnetResult<InstallReport> Result, X509Certificate2 Certificate)> RenewAsync(
        CertificateProvisioning provisioning, BacnetAddress address, SimulatedDevice device, TestAuthority signer)
    {
        var csr = await provisioning.GenerateAndReadCsrAsync(address, ScPortId, device.Spec.GenerateCsrCommand);
        Assert.True(csr.Ok, csr.ToString());
        var certificate = signer.SignCsr(System.Text.Encoding.ASCII.GetString(csr.Value.Content.AsSpan()));
        return (await provisioning.InstallAsync(address, ScPortId, [Pem(ca.PublicCertificate)], Pem(certificate)), certificate);
    }

    private static byte[] Pem(X509Certificate2 certificate) => System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem());

    private static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Waits.HangGuard;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{what} did not happen");
            await Task.Delay(20);
        }
    }
}
