using System.Globalization;
using CertLsp.Core.Ledger;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Editing;

/// <summary>A device's certificate status in words, for hovers and code lenses: pending since, valid until, days left.</summary>
public static class CertificateStatusText
{
    public static string? For(SiteLedger? ledger, DeviceEntry device, int warningDays, DateTimeOffset now)
    {
        if (ledger is null || device.Name is null) return null;
        return Of(ledger.Find(device.Name.Value), warningDays, now);
    }

    /// <summary>The commissioning tool's BACnet/SC certificate (“bacnet.secureConnect.tool”), from its own ledger block.</summary>
    public static string? ForTool(SiteLedger? ledger, ToolSettings tool, int warningDays, DateTimeOffset now) =>
        ledger is null || tool.Name is null ? null : Of(ledger.FindTool(tool.Name.Value), warningDays, now);

    private static string Of(LedgerEntry? entry, int warningDays, DateTimeOffset now)
    {
        if (entry is null) return "none requested yet";
        var certificate = entry.Certificate;
        string? pending = entry.Pending is { } p ? $"CSR pending since {Day(p.Since)} ({p.Zip})" : null;
        string? issued = certificate switch
        {
            null => null,
            { RevokedAt: { } revoked } => $"revoked on {Day(revoked)} (serial {certificate.Serial})",
            _ when now > certificate.NotAfter => $"expired on {Day(certificate.NotAfter)} (serial {certificate.Serial})",
            _ => ValidText(certificate, warningDays, now),
        };
        return (pending, issued) switch
        {
            (null, null) => "none requested yet",
            ({ } a, null) => a,
            (null, { } b) => b,
            ({ } a, { } b) => $"{b}; {a}",
        };
    }

    /// <summary>
    /// Device-held keys (key.source: device) with an issued certificate: whether it is on the device ("installed on the device",
    /// "not installed on the device yet", "install on the device failed", with the device's reason when <paramref name="withReason"/>).
    /// Null for local keys and devices without a certificate.
    /// </summary>
    public static string? Install(SiteLedger? ledger, SiteManifest manifest, DeviceEntry device, bool withReason)
    {
        if (!manifest.Key.DeviceHeld || device.Name is null || ledger?.Find(device.Name.Value) is not { } entry) return null;
        return entry.InstallStateOfCertificate switch
        {
            InstallState.Installed => "installed on the device",
            InstallState.Pending => "not installed on the device yet",
            InstallState.Failed => withReason && entry.Install?.Error is { } error ? $"install on the device failed: {error}"
                : "install on the device failed",
            _ => null,
        };
    }

    /// <summary>The device's last verification over BACnet/SC (<c>certlsp verify</c>): “verified 2026-12-06 20:30 UTC: joined the hub
    /// with its certificate”, “… handshake refused: certificate from another CA …”; null when none was recorded.</summary>
    public static string? Verification(SiteLedger? ledger, DeviceEntry device) =>
        device.Name is null ? null : ledger?.Find(device.Name.Value)?.Verification?.Describe();

    private static string ValidText(IssuedCertificate certificate, int warningDays, DateTimeOffset now)
    {
        int days = (int)Math.Floor((certificate.NotAfter - now).TotalDays);
        string text = $"valid until {Day(certificate.NotAfter)}, {days} day{(days == 1 ? "" : "s")} left";
        return days <= warningDays ? text + " (renew soon)" : text;
    }

    private static string Day(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
