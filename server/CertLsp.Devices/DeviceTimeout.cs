using CertLsp.Bacnet.Client;

namespace CertLsp.Devices;

/// <summary>
/// How long a device may take to answer one request before it is reported as not answering: the <c>--timeout SECONDS</c> of
/// <c>certlsp csr</c>, <c>import</c> and <c>discover</c>. The time is split over <see cref="Attempts"/> attempts (APDU timeout
/// SECONDS/3, 2 retries), so an unresponsive device costs at most SECONDS per request; discover also waits SECONDS for I-Am answers.
/// </summary>
public static class DeviceTimeout
{
    /// <summary>The default: 3 s (an APDU timeout of 1 s, 2 retries).</summary>
    public const double DefaultSeconds = 3;

    public const double MaxSeconds = 600;

    public const int Attempts = 3;

    /// <summary>Null when <paramref name="seconds"/> is usable, else why not.</summary>
    public static string? Check(double seconds) =>
        double.IsFinite(seconds) && seconds is >= 0.03 and <= MaxSeconds ? null
            : $"--timeout must be between 0.03 and {MaxSeconds:0} seconds";

    /// <summary>The client options with the APDU timeout and retries that <paramref name="seconds"/> gives.</summary>
    public static BacnetClientOptions Apply(BacnetClientOptions options, double seconds) =>
        options with { ApduTimeout = TimeSpan.FromSeconds(seconds / Attempts), Retries = Attempts - 1 };
}
