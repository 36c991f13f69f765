using System.Security.Cryptography.X509Certificates;
using CertLsp.Core.Certificates;
using CertLsp.Core.Yaml;
using CertLsp.Workflows.Files;

namespace CertLsp.Devices;

/// <summary>
/// What joining a site's hub reads of “bacnet.secureConnect” and the issuer files, the same for the tool's connection
/// (<see cref="ScToolConnection"/>) and for <c>certlsp verify</c> (<see cref="SiteVerificationRun"/>); what is wrong is a
/// <see cref="BacnetSetupException"/> naming the key.
/// </summary>
internal static class ScSiteSettings
{
    /// <summary>A hub URI of “bacnet.secureConnect.<paramref name="key"/>”: null when not given, else a wss:// URI.</summary>
    public static Uri? HubUri(YamlScalar? value, string key)
    {
        if (value is null) return null;
        return Uri.TryCreate(value.Value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeWss ? uri
            : throw new BacnetSetupException($"“bacnet.secureConnect.{key}” “{value.Value}” is not a wss:// URI");
    }

    /// <summary>The certificates of the issuer files named under <paramref name="key"/>, relative to <paramref name="folder"/>; none
    /// is left undisposed when one cannot be read.</summary>
    public static List<X509Certificate2> ReadIssuers(string folder, IEnumerable<YamlScalar> paths, string key)
    {
        var issuers = new List<X509Certificate2>();
        foreach (var value in paths)
        {
            string path = ManifestPaths.Resolve(folder, value.Value);
            try
            {
                issuers.AddRange(CertificateFiles.ReadAll(File.ReadAllBytes(path)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                foreach (var read in issuers) read.Dispose();
                throw new BacnetSetupException($"the issuer certificate {path} ({key}) cannot be read: {e.Message}");
            }
        }
        return issuers;
    }
}
