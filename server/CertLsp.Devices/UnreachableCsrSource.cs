using CertLsp.Core.Manifest;
using CertLsp.Workflows.Requests;

namespace CertLsp.Devices;

/// <summary>The devices' CSRs when the tool cannot reach them over BACnet/SC (<see cref="ScToolRun"/>): each device fails with the
/// reason; the tool's own CSR, made here, is still requested.</summary>
public sealed class UnreachableCsrSource(string why) : IDeviceCsrSource
{
    public Task<DeviceCsrOutcome> RequestAsync(DeviceEntry device, CancellationToken cancellationToken) =>
        Task.FromResult(DeviceCsrOutcome.Failed($"not reached over BACnet/SC: {why}"));
}
