using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using CertLsp.Core.Checking;
using CertLsp.Workflows.Files;

namespace CertLsp.Core.Tests.Layering;

/// <summary>
/// The core is a pure checker: text in, diagnostics and editor features out. It reads no file, starts no process and opens
/// no socket; the workflows (CertLsp.Workflows) and the hosts do that. Checked on the compiled assembly: every type the core
/// refers to in another assembly is listed in its metadata (a type reference), so no call can hide from this test.
/// </summary>
public sealed class CoreDoesNoIoTests
{
    /// <summary>Whole namespaces the core must not use: sockets, HTTP, pipes, memory-mapped files.</summary>
    private static readonly string[] BannedNamespaces =
    [
        "System.Net.Sockets", "System.Net.Http", "System.IO.Pipes", "System.IO.MemoryMappedFiles", "System.IO.Enumeration",
    ];

    /// <summary>
    /// Types that touch the file system, the console or other processes. Not banned: <see cref="Path"/> (string work on
    /// paths; the core names the ledger beside a manifest), <see cref="Stream"/>, <see cref="MemoryStream"/> and the
    /// readers over a stream (the core reads its JSON schema from an embedded resource), <see cref="IOException"/> (a type,
    /// not an action). A reader or writer made from a path opens a file: those constructors are banned below.
    /// </summary>
    private static readonly string[] BannedTypes =
    [
        "System.IO.File", "System.IO.Directory", "System.IO.FileInfo", "System.IO.DirectoryInfo", "System.IO.FileSystemInfo",
        "System.IO.FileStream", "System.IO.FileSystemWatcher", "System.IO.DriveInfo", "System.IO.RandomAccess",
        "System.IO.Compression.ZipFile",
        "System.Diagnostics.Process", "System.Diagnostics.ProcessStartInfo", "System.Console",
        "System.Net.Dns", "System.Net.WebClient",
    ];

    [Fact]
    public void The_core_assembly_uses_no_file_process_console_or_socket_type()
    {
        Assert.Empty(BannedReferences(typeof(ManifestChecker).Assembly.Location));
    }

    [Fact]
    public void The_check_finds_the_file_types_the_workflows_use()
    {
        // The same check over the workflows, which do write files: it must find them, or the test above proves nothing.
        var found = BannedReferences(typeof(AtomicFile).Assembly.Location);
        Assert.Contains("System.IO.File", found);
        Assert.Contains("System.IO.Directory", found);
    }

    /// <summary>Types whose constructors taking a path (a string first) open a file; made over a stream they are allowed.</summary>
    private static readonly string[] PathConstructors = ["System.IO.StreamReader", "System.IO.StreamWriter"];

    [Fact]
    public void The_check_tells_a_reader_over_a_path_from_one_over_a_stream()
    {
        // This test opens a reader on a path, so its assembly refers to that constructor; the core reads only over a stream.
        using (var probe = new StreamReader(typeof(CoreDoesNoIoTests).Assembly.Location)) Assert.True(probe.BaseStream.CanRead);
        var found = BannedReferences(typeof(CoreDoesNoIoTests).Assembly.Location);
        Assert.Contains("System.IO.StreamReader..ctor(string)", found);
        Assert.DoesNotContain("System.IO.StreamReader..ctor(string)", BannedReferences(typeof(ManifestChecker).Assembly.Location));
    }

    private static List<string> BannedReferences(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.TypeReferences)
        {
            string name = MetadataNames.Of(reader, reader.GetTypeReference(handle));
            if (BannedTypes.Contains(name) || BannedNamespaces.Any(ns => name.StartsWith(ns + ".", StringComparison.Ordinal))) found.Add(
                name);
        }
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference || reader.GetString(member.Name) != ".ctor") continue;
            string type = MetadataNames.Of(reader, reader.GetTypeReference((TypeReferenceHandle)member.Parent));
            if (PathConstructors.Contains(type) && FirstParameterIsString(reader.GetBlobReader(member.Signature))) found.Add(type
                + "..ctor(string)");
        }
        return [.. found];
    }

    /// <summary>A method signature (ECMA-335 II.23.2.1): header, parameter count, return type, then the parameters.</summary>
    private static bool FirstParameterIsString(BlobReader signature)
    {
        signature.ReadSignatureHeader();
        if (signature.ReadCompressedInteger() == 0) return false;
        signature.ReadSignatureTypeCode(); // the return type: void for a constructor
        return signature.ReadSignatureTypeCode() == SignatureTypeCode.String;
    }
}
