using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace CertLsp.Workflows.Files;

/// <summary>
/// Windows' counterpart of 0700 folders and 0600 files (the key folder, bundles, their quarantine): an access-control list that
/// grants the current user alone full control, with inheritance from the parent folder cut off (a protected DACL, no inherited
/// entries), so neither Users, Authenticated Users, Everyone nor Administrators' inherited entries reach the keys. A folder's
/// entry is inherited by what is created in it, and owner-only files are created with their own protected list, so a key is
/// owner-only from its first byte.
/// <see cref="For"/> builds the rules as plain data (unit-tested on every platform: .NET's ACL types exist only on Windows);
/// <see cref="ApplyToFolder"/> and <see cref="CreateFile"/> turn them into <see cref="DirectorySecurity"/> /
/// <see cref="FileSecurity"/> (System.IO.FileSystem.AccessControl) and set them.
/// </summary>
public static class WindowsOwnerOnly
{
#pragma warning disable CA1416 // enum values and records only: no Windows API is called until Apply*, so the rules are testable anywhere
    /// <summary>One access rule, in the terms of <see cref="FileSystemAccessRule"/>.</summary>
    public sealed record Rule(string Sid, FileSystemRights Rights, InheritanceFlags Inheritance, PropagationFlags Propagation,
        AccessControlType Type);

    /// <summary>A DACL: its rules, and whether it is protected from inheriting the parent's entries.</summary>
    public sealed record Acl(bool Protected, IReadOnlyList<Rule> Rules)
    {
        /// <summary>The DACL in SDDL ("D:P(A;OICI;FA;;;S-1-5-21-…)"), for logs and docs: what `icacls` and PowerShell's Get-Acl
        /// show.</summary>
        public string Sddl => "D:" + (Protected ? "P" : "") + string.Concat(Rules.Select(r =>
            $"({(r.Type == AccessControlType.Allow ? "A" : "D")};{Flags(r)};" +
                $"{(r.Rights == FileSystemRights.FullControl ? "FA" : $"0x{(int)r.Rights:x}")};;;{r.Sid})"));

        private static string Flags(Rule r) =>
            ((r.Inheritance & InheritanceFlags.ObjectInherit) != 0 ? "OI" : "")
                + ((r.Inheritance & InheritanceFlags.ContainerInherit) != 0 ? "CI" : "")
            + ((r.Propagation & PropagationFlags.NoPropagateInherit) != 0 ? "NP" : "")
                + ((r.Propagation & PropagationFlags.InheritOnly) != 0 ? "IO" : "");
    }

    /// <summary>The owner-only DACL for a folder (inherited by its files and sub-folders) or a file of the user <paramref
    /// name="ownerSid"/>.</summary>
    public static Acl For(string ownerSid, bool folder)
    {
        if (!IsSid(ownerSid)) throw new ArgumentException($"“{ownerSid}” is not a security identifier (S-1-…)", nameof(ownerSid));
        var inheritance = folder ? InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit : InheritanceFlags.None;
        return new Acl(Protected: true, [new Rule(ownerSid, FileSystemRights.FullControl, inheritance, PropagationFlags.None,
            AccessControlType.Allow)]);
    }
#pragma warning restore CA1416

    /// <summary>"S-1-" then decimal sub-authorities: a SID in its string form (a name such as DOMAIN\user is not one).</summary>
    public static bool IsSid(string value)
    {
        var parts = value.Split('-');
        return parts.Length >= 3 && parts[0] == "S" && parts[1] == "1" && parts.Skip(2).All(p => p.Length > 0 && p.All(char.IsAsciiDigit));
    }

    [SupportedOSPlatform("windows")]
    public static void ApplyToFolder(string folder)
    {
        var security = new DirectorySecurity();
        Fill(security, For(CurrentUserSid(), folder: true));
        new DirectoryInfo(folder).SetAccessControl(security);
    }

    /// <summary>
    /// Creates a new file for writing with the owner-only DACL in its creation call (CreateFile's security attributes), so no
    /// byte of it is ever readable by anyone else; a handle opened for writing could not set the DACL afterwards (no WRITE_DAC).
    /// </summary>
    [SupportedOSPlatform("windows")]
    public static FileStream CreateFile(string path)
    {
        var security = new FileSecurity();
        Fill(security, For(CurrentUserSid(), folder: false));
        return new FileInfo(path).Create(FileMode.CreateNew, FileSystemRights.Write | FileSystemRights.Synchronize, FileShare.None, 4096,
            FileOptions.None, security);
    }

    [SupportedOSPlatform("windows")]
    private static void Fill(FileSystemSecurity security, Acl acl)
    {
        security.SetAccessRuleProtection(isProtected: acl.Protected, preserveInheritance: false);
        foreach (var r in acl.Rules) security.AddAccessRule(
            new FileSystemAccessRule(new SecurityIdentifier(r.Sid), r.Rights, r.Inheritance, r.Propagation, r.Type));
    }

    [SupportedOSPlatform("windows")]
    private static string CurrentUserSid()
    {
        using var identity = WindowsIdentity.GetCurrent();
        return identity.User?.Value ?? throw new InvalidOperationException("the current Windows user has no security identifier");
    }
}
