using System.Collections.Immutable;
using CertLsp.Core.Manifest;
using CertLsp.Core.Naming;
using CertLsp.Core.Rules;

namespace CertLsp.Core.Ledger;

/// <summary>
/// One device's line of the status table. <see cref="Install"/> is set for device-held keys (key.source: device) once a certificate is
/// issued: whether it is on the device; <see cref="InstallError"/> says why the last install failed. <see cref="CrlExpired"/>: the
/// certificate was imported against an expired CRL (its nextUpdate), so its non-revocation is not proven.
/// </summary>
public sealed record DeviceStatus(
    string Device,
    string CommonName,
    CertificateStatus Status,
    DateTimeOffset? NotAfter,
    int? DaysLeft,
    DateTimeOffset? PendingSince,
    bool ExpiresSoon,
    InstallState? Install = null,
    string? InstallError = null,
    DateTimeOffset? CrlExpired = null)
{
    /// <summary>The line of the commissioning tool's own BACnet/SC certificate (“bacnet.secureConnect.tool”): <see cref="Device"/> is
    /// the tool's name.</summary>
    public bool Tool { get; init; }
}

/// <summary>Every device of a manifest with where it stands, most urgent first: revoked, expired, expiring soon, never requested, pending,
/// valid.</summary>
public static class StatusReport
{
    public static ImmutableArray<DeviceStatus> For(SiteManifest manifest, SiteLedger ledger, DateTimeOffset now)
    {
        int window = manifest.Certificates.WarningDayCount;
        var rows = new List<(DeviceStatus Row, int Index)>();
        foreach (var device in manifest.Devices)
        {
            if (device.Name is null) continue;
            var entry = ledger.Find(device.Name.Value);
            string cn = entry?.CommonName ?? CommonNames.For(manifest, device)?.Value ?? device.Name.Value;
            rows.Add((Row(device.Name.Value, cn, entry, window, now, manifest.Key.DeviceHeld), rows.Count));
        }
        return [.. rows
            .OrderBy(r => Rank(r.Row))
            .ThenBy(r => r.Row.DaysLeft ?? int.MaxValue)
            .ThenBy(r => r.Row.PendingSince ?? DateTimeOffset.MaxValue)
            .ThenBy(r => r.Index)
            .Select(r => r.Row)];
    }

    /// <summary>The commissioning tool's line (“bacnet.secureConnect.tool”, from its own ledger block), or null when the manifest names
    /// no tool.</summary>
    public static DeviceStatus? ForTool(SiteManifest manifest, SiteLedger ledger, DateTimeOffset now)
    {
        if (manifest.Bacnet.SecureConnect?.Tool?.Name is not { } name) return null;
        var entry = ledger.FindTool(name.Value);
        string cn = entry?.CommonName ?? CommonNames.ForTool(manifest)?.Value ?? name.Value;
        return Row(name.Value, cn, entry, manifest.Certificates.WarningDayCount, now, installs: false) with { Tool = true };
    }

    private static DeviceStatus Row(string name, string cn, LedgerEntry? entry, int window, DateTimeOffset now, bool installs)
    {
        var status = entry?.StatusAt(now) ?? CertificateStatus.None;
        var notAfter = entry?.Certificate?.NotAfter;
        int? daysLeft = notAfter is { } n ? CertificateExpiringRule.DaysLeft(n, now) : null;
        bool soon = status == CertificateStatus.Valid && daysLeft <= window;
        var install = installs ? entry?.InstallStateOfCertificate : null;
        string? installError = install == InstallState.Failed ? entry!.Install!.Error : null;
        var crlExpired = status == CertificateStatus.Valid ? entry!.Certificate!.CrlExpired : null;
        return new DeviceStatus(name, cn, status, notAfter, daysLeft, entry?.Pending?.Since, soon, install, installError, crlExpired);
    }

    /// <summary>
    /// The certificate of a device that needs no new request: issued, not revoked, not expired and outside the warning window of
    /// <paramref name="warningDays"/> days; null when the device has none (no certificate, expired, revoked, or due for renewal).
    /// </summary>
    public static IssuedCertificate? Usable(LedgerEntry? entry, int warningDays, DateTimeOffset now) =>
        entry?.Certificate is { IsRevoked: false } c && now <= c.NotAfter
            && CertificateExpiringRule.DaysLeft(c.NotAfter, now) > warningDays ? c : null;

    private static int Rank(DeviceStatus row) => row.Status switch
    {
        CertificateStatus.Revoked => 0,
        CertificateStatus.Expired => 1,
        CertificateStatus.Valid when row.ExpiresSoon => 2,
        CertificateStatus.None => 3,
        CertificateStatus.Pending => 4,
        _ => 5,
    };
}
