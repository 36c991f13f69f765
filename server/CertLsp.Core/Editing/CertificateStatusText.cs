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
        if (ledger.Find(device.Name.Value) is not { } entry) return "none requested yet";
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

    private static string ValidText(IssuedCertificate certificate, int warningDays, DateTimeOffset now)
    {
        int days = (int)Math.Floor((certificate.NotAfter - now).TotalDays);
        string text = $"valid until {Day(certificate.NotAfter)}, {days} day{(days == 1 ? "" : "s")} left";
        return days <= warningDays ? text + " (renew soon)" : text;
    }

    private static string Day(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
