using System.Collections.Concurrent;
using CertLsp.Bacnet.Simulator;

namespace CertLsp.TestSupport;

/// <summary>
/// The event "a request has reached every one of these silent devices": completes when each has dropped its first datagram
/// while <see cref="SimulatedDevice.Unresponsive"/> (<see cref="SimulatedDevice.Ignored"/>). Create it before the requests are
/// sent; a test awaits it instead of polling the site's counts.
/// </summary>
public sealed class SilentDevices : IDisposable
{
    private readonly SimulatedDevice[] devices;
    private readonly ConcurrentDictionary<SimulatedDevice, byte> reached = new();
    private readonly TaskCompletionSource all = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes the devices silent and starts listening for what they drop.</summary>
    public SilentDevices(IEnumerable<SimulatedDevice> devices)
    {
        this.devices = [.. devices];
        foreach (var device in this.devices)
        {
            device.Ignored += OnIgnored;
            device.Unresponsive = true;
        }
        if (this.devices.Length == 0) all.SetResult();
    }

    private void OnIgnored(SimulatedDevice device)
    {
        if (reached.TryAdd(device, 0) && reached.Count == devices.Length) all.TrySetResult();
    }

    /// <summary>Completes when every device has dropped a datagram; fails after <see cref="Waits.HangGuard"/> naming
    /// <paramref name="what"/> and how many had.</summary>
    public async Task ReachedAsync(string what)
    {
        try
        {
            await all.Task.WaitAsync(Waits.HangGuard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(
                $"not so within {Waits.HangGuard.TotalSeconds:0} s: {what} ({reached.Count} of {devices.Length} devices reached)");
        }
    }

    /// <summary>Stops listening; the devices stay silent until a test makes them answer again.</summary>
    public void Dispose()
    {
        foreach (var device in devices) device.Ignored -= OnIgnored;
    }
}
