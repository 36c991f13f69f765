using System.Security.AccessControl;
using CertLsp.Workflows.Files;

namespace CertLsp.Workflows.Tests.Files;

/// <summary>
/// What CertLsp does for Windows, proven here without Windows (docs/install.md says which parts ran only as these tests): the
/// owner-only ACL it builds for the key folder and bundles, manifest paths with drive letters and backslashes, and a file held
/// open by another program.
/// </summary>
#pragma warning disable CA1416 // the ACL enums are plain values here; WindowsOwnerOnly.For calls no Windows API
public sealed class WindowsTests
{
    private const string User = "S-1-5-21-3623811015-3361044348-30300820-1013";

    [Fact]
    public void The_key_folder_acl_grants_the_user_alone_full_control_inherited_by_what_is_created_in_it()
    {
        var acl = WindowsOwnerOnly.For(User, folder: true);
        Assert.True(acl.Protected, "the folder must not inherit its parent's entries (Users, Authenticated Users, Administrators)");
        var rule = Assert.Single(acl.Rules);
        Assert.Equal(new WindowsOwnerOnly.Rule(User, FileSystemRights.FullControl,
            InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit,
            PropagationFlags.None, AccessControlType.Allow), rule);
        Assert.Equal($"D:P(A;OICI;FA;;;{User})", acl.Sddl);
    }

    [Fact]
    public void A_key_or_bundle_file_acl_grants_the_user_alone_and_inherits_nothing()
    {
        var acl = WindowsOwnerOnly.For(User, folder: false);
        Assert.True(acl.Protected);
        var rule = Assert.Single(acl.Rules);
        Assert.Equal(User, rule.Sid);
        Assert.Equal(FileSystemRights.FullControl, rule.Rights);
        Assert.Equal(InheritanceFlags.None, rule.Inheritance);
        Assert.Equal(AccessControlType.Allow, rule.Type);
        Assert.Equal($"D:P(A;;FA;;;{User})", acl.Sddl);
    }

    [Theory]
    [InlineData("S-1-1-0")] // Everyone
    [InlineData("S-1-5-11")] // Authenticated Users
    [InlineData("S-1-5-32-545")] // Users
    [InlineData("S-1-5-32-544")] // Administrators
    public void No_other_principal_gets_an_entry(string other)
    {
        foreach (bool folder in new[] { true, false })
        {
            Assert.DoesNotContain(WindowsOwnerOnly.For(User, folder).Rules, r => r.Sid == other);
            Assert.All(WindowsOwnerOnly.For(User, folder).Rules, r => Assert.Equal(AccessControlType.Allow, r.Type));
        }
    }

    [Theory]
    [InlineData("CONTOSO\\engineer")]
    [InlineData("engineer")]
    [InlineData("S-1-")]
    [InlineData("S-1-5-x")]
    [InlineData("")]
    public void A_user_name_is_not_taken_for_a_sid(string notSid) =>
        Assert.Throws<ArgumentException>(() => WindowsOwnerOnly.For(notSid, folder: true));

    [Theory]
    [InlineData("certs\\issuing-ca.pem", "/site/certs/issuing-ca.pem")]
    [InlineData("certs/issuing-ca.pem", "/site/certs/issuing-ca.pem")]
    [InlineData("C:\\pki\\issuing-ca.pem", "C:\\pki\\issuing-ca.pem")]
    [InlineData("c:/pki/issuing-ca.pem", "c:/pki/issuing-ca.pem")]
    [InlineData("\\\\pki-server\\share\\ca.pem", "\\\\pki-server\\share\\ca.pem")]
    public void Manifest_paths_elsewhere_take_backslashes_as_folders_and_leave_windows_absolute_paths_as_written(string value,
        string expected) =>
        Assert.Equal(expected, ManifestPaths.Resolve("/site", value, windows: false));

    [Theory]
    [InlineData("certs/issuing-ca.pem", "C:\\sites\\tower\\certs\\issuing-ca.pem")]
    [InlineData("certs\\issuing-ca.pem", "C:\\sites\\tower\\certs\\issuing-ca.pem")]
    [InlineData("D:\\pki\\issuing-ca.pem", "D:\\pki\\issuing-ca.pem")]
    [InlineData("\\\\pki-server\\share\\ca.pem", "\\\\pki-server\\share\\ca.pem")]
    public void Manifest_paths_on_windows_keep_drive_letters_and_join_relative_paths_with_backslashes(string value, string expected)
    {
        string resolved = ManifestPaths.Resolve("C:\\sites\\tower", value, windows: true);
        // Path.Combine joins with this platform's separator; on Windows it is the backslash.
        Assert.Equal(expected, OperatingSystem.IsWindows() ? resolved : resolved.Replace('/', '\\'));
    }

    [Fact]
    public void A_manifest_another_program_holds_open_is_refused_with_that_reason()
    {
        var folder = Directory.CreateTempSubdirectory("certlsp-lock-");
        try
        {
            string manifest = Path.Combine(folder.FullName, "site.site.yaml");
            File.WriteAllText(manifest, "site: {}\n");
            // .NET on Linux and macOS enforces FileShare among processes that ask for it (an advisory lock), as Windows does for all.
            using (new FileStream(manifest, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                var refused = Assert.Throws<ManifestReadException>(() => ManifestFiles.Read(manifest, TextFileKind.Manifest));
                Assert.Contains(manifest, refused.Message, StringComparison.Ordinal);
                Assert.Contains("open in another program", refused.Message, StringComparison.Ordinal);
            }
            Assert.Equal("site: {}\n", ManifestFiles.Read(manifest, TextFileKind.Manifest));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(unchecked((int)0x80070020), true)] // ERROR_SHARING_VIOLATION: Excel has the file open
    [InlineData(unchecked((int)0x80070021), true)] // ERROR_LOCK_VIOLATION: a range of it is locked
    [InlineData(unchecked((int)0x80070005), false)] // ERROR_ACCESS_DENIED: permissions, not another program
    [InlineData(unchecked((int)0x80070070), false)] // ERROR_DISK_FULL
    public void Windows_sharing_and_lock_violations_are_told_as_a_file_in_use(int hresult, bool inUse)
    {
        var ex = new IOException("The process cannot access the file", hresult);
        Assert.Equal(inUse, FileInUse.Is(ex));
        Assert.Equal(inUse ? FileInUse.Reason : ex.Message, FileInUse.Describe(ex));
    }
}
