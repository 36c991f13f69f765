using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Client;

/// <summary>A device that answered Who-Is, and where it answered from.</summary>
public sealed record DiscoveredDevice(BacnetAddress Address, IAm Announcement)
{
    public uint Instance => Announcement.Device.Instance;
}
