using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertLsp.Core.Editing;

/// <summary>
/// The CA certificate files under a manifest's folder, as the paths (relative, with "/") that <c>ca.issuers</c> lists: PEM or
/// DER files whose first certificate is a CA's (basic constraints cA). Bounded: a few levels deep, small files, a hundred at
/// most, and no more than 500 candidate files read (a folder of thousands of device certificates does not slow completion down);
/// hidden folders and those of tools (node_modules, bin, obj) are skipped; a file holding a private key is never offered.
/// </summary>
public static class IssuerFiles
{
    private const int MaxDepth = 3;
    private const int MaxFiles = 100;
    private const int MaxRead = 500;
    private const int MaxLength = 64 * 1024;

    private static readonly string[] Extensions = [".pem", ".crt", ".cer", ".der"];

    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "node_modules", "bin", "obj" };

    public static IReadOnlyList<string> Under(string folder)
    {
        var found = new List<string>();
        if (!Directory.Exists(folder)) return found;
        int budget = MaxRead;
        Walk(folder, folder, 0, found, ref budget);
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void Walk(string root, string folder, int depth, List<string> found, ref int budget)
    {
        IEnumerable<string> files, folders;
        try
        {
            files = Directory.GetFiles(folder).Order(StringComparer.Ordinal);
            folders = depth < MaxDepth ? Directory.GetDirectories(folder).Order(StringComparer.Ordinal) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var file in files)
        {
            if (found.Count == MaxFiles || budget == 0) return;
            if (!Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase)) continue;
            budget--;
            if (IsCaCertificate(file))
            {
                found.Add(Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }
        foreach (var sub in folders)
        {
            string name = Path.GetFileName(sub);
            if (name.StartsWith('.') || Skipped.Contains(name) || new DirectoryInfo(sub).LinkTarget is not null) continue;
            Walk(root, sub, depth + 1, found, ref budget);
        }
    }

    private static bool IsCaCertificate(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxLength || info.LinkTarget is not null) return false;
            byte[] bytes = File.ReadAllBytes(file);
            string text = System.Text.Encoding.ASCII.GetString(bytes);
            if (text.Contains("PRIVATE KEY", StringComparison.Ordinal)) return false;
            using var certificate = text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
            return certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }
}
