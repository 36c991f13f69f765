using System.Security.Cryptography;
using System.Text;
using CertLsp.Workflows.Certificates;
#pragma warning disable IDE0005 // linked into test projects with and without a global using of Xunit
using Xunit;
#pragma warning restore IDE0005

namespace CertLsp.Core.Tests.Certificates;

/// <summary>
/// Searches outputs for private-key material: the PEM markers, and each key's private numbers (RSA d, p, q; EC d) as raw bytes,
/// hex and base64. Zips are searched entry by entry, decompressed.
/// </summary>
public static class PrivateKeyScan
{
    /// <param name="removedKeys">PEMs of keys the test saw that are no longer in the key folder (removed by a run's recovery).</param>
    public static void AssertAbsent(TempSite site, IEnumerable<string> files, IEnumerable<string> texts, string? passphrase = null,
        IEnumerable<string>? removedKeys = null)
    {
        var keys = KeyStore.ForManifest(site.ManifestPath, passphrase);
        var secrets = new List<byte[]>();
        foreach (var pem in keys.Files().Select(File.ReadAllText).Concat(removedKeys ?? []).Distinct())
        {
            using AsymmetricAlgorithm key = pem.Contains("ENCRYPTED", StringComparison.Ordinal) ? Load(pem, passphrase!) : Load(pem, null);
            switch (key)
            {
                case RSA rsa:
                    var p = rsa.ExportParameters(true);
                    secrets.AddRange([p.D!, p.P!, p.Q!]);
                    break;
                case ECDsa ec:
                    secrets.Add(ec.ExportParameters(true).D!);
                    break;
            }
        }
        Assert.NotEmpty(secrets);

        var blobs = new List<(string Where, byte[] Data)>();
        foreach (var file in files)
        {
            if (file.EndsWith(".zip", StringComparison.Ordinal))
            {
                foreach (var (name, data) in TempSite.Entries(file)) blobs.Add(($"{Path.GetFileName(file)}:{name}", data));
            }
            blobs.Add((file, File.ReadAllBytes(file)));
        }
        foreach (var text in texts) blobs.Add(("output", Encoding.UTF8.GetBytes(text)));
        foreach (var (where, data) in blobs)
        {
            string asText = Encoding.Latin1.GetString(data);
            Assert.DoesNotContain("PRIVATE KEY", asText);
            foreach (var secret in secrets)
            {
                var probe = secret.AsSpan(0, Math.Min(16, secret.Length));
                Assert.True(data.AsSpan().IndexOf(probe) < 0, $"raw private-key bytes in {where}");
                Assert.DoesNotContain(Convert.ToHexString(probe), asText, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Convert.ToBase64String(secret)[..16], asText);
            }
        }
    }

    private static AsymmetricAlgorithm Load(string pem, string? passphrase)
    {
        AsymmetricAlgorithm key = pem.Contains("MIIE", StringComparison.Ordinal) || pem.Length > 1000 ? RSA.Create() : ECDsa.Create();
        try
        {
            if (passphrase is null) key.ImportFromPem(pem); else key.ImportFromEncryptedPem(pem, passphrase);
            return key;
        }
        catch (CryptographicException)
        {
            key.Dispose();
            AsymmetricAlgorithm other = key is RSA ? ECDsa.Create() : RSA.Create();
            if (passphrase is null) other.ImportFromPem(pem); else other.ImportFromEncryptedPem(pem, passphrase);
            return other;
        }
    }
}
