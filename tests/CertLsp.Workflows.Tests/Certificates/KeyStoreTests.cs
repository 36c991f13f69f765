using System.Security.Cryptography;
using CertLsp.Core.Certificates;
using CertLsp.Core.Tests.Certificates;
using CertLsp.Workflows.Certificates;

namespace CertLsp.Workflows.Tests.Certificates;

public sealed class KeyStoreTests
{
    [Fact]
    public void Key_files_are_owner_only_in_an_owner_only_git_ignored_folder()
    {
        using var site = new TempSite(TempSite.Manifest(1));
        var store = KeyStore.ForManifest(site.ManifestPath, null);
        store.EnsureFolder();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string fp = Fingerprints.OfPublicKey(key);
        store.Write("dev-01", fp, key);

        string path = store.PathFor("dev-01", fp);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.Folder));
        string top = Path.Combine(site.Folder, KeyStore.FolderName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(top));
        Assert.Contains("\n*\n", File.ReadAllText(Path.Combine(top, ".gitignore")));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
        using var loaded = store.Load("dev-01", fp);
        Assert.Equal(fp, Fingerprints.OfPublicKey(loaded));
    }

    [Fact]
    public void A_looser_existing_folder_is_tightened()
    {
        using var site = new TempSite(TempSite.Manifest(1));
        var store = KeyStore.ForManifest(site.ManifestPath, null);
        Directory.CreateDirectory(store.Folder);
        File.SetUnixFileMode(store.Folder, (UnixFileMode)0b111_101_101);
        store.EnsureFolder();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(store.Folder));
    }

    [Fact]
    public void With_a_passphrase_keys_are_encrypted_and_need_it_to_load()
    {
        using var site = new TempSite(TempSite.Manifest(1));
        var store = KeyStore.ForManifest(site.ManifestPath, "correct horse");
        store.EnsureFolder();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string fp = Fingerprints.OfPublicKey(key);
        store.Write("dev-01", fp, key);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", File.ReadAllText(store.PathFor("dev-01", fp)));
        using (var loaded = store.Load("dev-01", fp)) Assert.Equal(fp, Fingerprints.OfPublicKey(loaded));
        var noPass = Assert.Throws<KeyStoreException>(() => KeyStore.ForManifest(site.ManifestPath, null).Load("dev-01", fp));
        Assert.Contains(KeyStore.PassphraseVariable, noPass.Message);
        Assert.Throws<KeyStoreException>(() => KeyStore.ForManifest(site.ManifestPath, "wrong").Load("dev-01", fp));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)] // empty is unset, in the CLI and the editor alike: keys are not encrypted
    [InlineData("correct horse", "correct horse")]
    public void The_passphrase_is_read_from_the_environment_in_one_place(string? value, string? expected)
    {
        string? previous = Environment.GetEnvironmentVariable(KeyStore.PassphraseVariable); // nothing else in this assembly reads it
        try
        {
            Environment.SetEnvironmentVariable(KeyStore.PassphraseVariable, value);
            Assert.Equal(expected, KeyStore.PassphraseFromEnvironment());
        }
        finally
        {
            Environment.SetEnvironmentVariable(KeyStore.PassphraseVariable, previous);
        }
    }

    [Theory]
    [InlineData("AHU-1", "AHU-1")]
    [InlineData("Kältemaschine-1", "Kältemaschine-1")]
    public void Safe_names_keep_ordinary_names(string name, string expected) => Assert.Equal(expected, SafeNames.For(name));

    [Fact]
    public void Safe_names_keep_different_names_apart_and_inside_the_folder()
    {
        Assert.NotEqual(SafeNames.For("a/b"), SafeNames.For("a_b"));
        Assert.DoesNotContain('/', SafeNames.For("../../etc/passwd"));
        Assert.False(SafeNames.For("..").StartsWith('.'));
    }
}
