using System.Collections.Immutable;
using CertLsp.Bacnet.Application;
using CertLsp.Bacnet.Services;
using CertLsp.Bacnet.Transport;

namespace CertLsp.Bacnet.Client;

/// <summary>A CSR read from a device, with the File object it came from.</summary>
public sealed record DeviceCsr(ObjectId Port, ObjectId File, ImmutableArray<byte> Content)
{
    public bool IsPem => Content.Length > 10 && System.Text.Encoding.ASCII.GetString(Content.AsSpan(..10)) == "-----BEGIN";
}

/// <summary>
/// One certificate file written: <see cref="Truncated"/> when File_Size := 0 emptied it first, false when the device refused that
/// (write-access-denied) and the content was written from offset 0 over what it held; the read-back that follows proves the result.
/// </summary>
public sealed record FileWrite(ObjectId File, int Length, bool Truncated);

/// <summary>An install that succeeded: each file written (issuers, then the operational certificate), read back and activated.</summary>
public sealed record InstallReport(IReadOnlyList<FileWrite> Files)
{
    /// <summary>How a report says it: the files written, and which path each took when File_Size could not be written.</summary>
    public override string ToString()
    {
        var text = "issuer and operational certificates written, read back and activated";
        var untruncated = Files.Where(f => !f.Truncated).ToList();
        if (untruncated.Count == 0) return text;
        return text
            + $"; File_Size := 0 refused (write-access-denied) on " +
            $"{string.Join(", ", untruncated.Select(f => $"file {f.File.Instance}"))}: " +
            $"written from offset 0 and read back ({string.Join(", ", untruncated.Select(f => $"{f.Length} bytes"))}, identical)";
    }
}

/// <summary>
/// The device-held-key workflows of BACnet/SC provisioning (shared/research/bacnet.md "Provisioning procedure"):
/// ask a Network Port for a CSR and read it; install issuer and operational certificates, activate, read back.
/// Every outcome is a value: success, or the step and BACnet failure that stopped it.
/// </summary>
public sealed class CertificateProvisioning(BacnetClient client)
{
    /// <summary>How often Command is polled while the device generates its CSR.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(25);
    /// <summary>How long a device may take to return Command to idle.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>
    /// Octets per AtomicReadFile/AtomicWriteFile request. Null (the default): as many as fit one unsegmented APDU, the device's and
    /// this client's Max APDU (<see cref="BacnetClient.Limits"/>). A larger value is used only where both ends segment that way
    /// (reads: the device transmits segments and the client accepts them; writes: the device accepts segmented requests), else it
    /// is cut to fit.
    /// </summary>
    public int? FileChunk { get; init; }
    public int MaxFileSize { get; init; } = 256 * 1024;

    /// <summary>
    /// Writes <paramref name="generateCsrCommand"/> (8 or 9, per vendor) to the port's Command, waits for Command to
    /// return to idle, and reads the File named by Certificate_Signing_Request_File.
    /// </summary>
    public async Task<BacnetResult<DeviceCsr>> GenerateAndReadCsrAsync(BacnetAddress device, ObjectId port, uint generateCsrCommand,
        CancellationToken cancellationToken = default)
    {
        var fileRef = await client.ReadPropertyAsync(device, port, PropertyIdentifier.CertificateSigningRequestFile,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!fileRef.Ok) return Fail("read Certificate_Signing_Request_File", fileRef.Failure!);
        if (fileRef.Value.Values.FirstOrDefault() is not BacnetValue.ObjectIdentifier { Value.Type: ObjectType.File } file)
            return Fail("read Certificate_Signing_Request_File", new BacnetFailure(FailureKind.Malformed, "not a File object identifier"));
        var write = await client.WritePropertyAsync(device,
            WritePropertyRequest.Of(port, PropertyIdentifier.Command, BacnetValue.FromEnumerated(generateCsrCommand)),
            cancellationToken).ConfigureAwait(false);
        if (!write.Ok) return Fail($"write Command := {generateCsrCommand} (generate-csr-file)", write.Failure!);
        var idle = await WaitForIdleAsync(device, port, cancellationToken).ConfigureAwait(false);
        if (!idle.Ok) return idle.Failure!;
        var content = await ReadFileAsync(device, file.Value, cancellationToken).ConfigureAwait(false);
        if (!content.Ok) return Fail($"read {file.Value}", content.Failure!);
        if (content.Value.Length == 0) return Fail($"read {file.Value}",
            new BacnetFailure(FailureKind.Malformed, "the CSR file is empty after the command completed"));
        return new DeviceCsr(port, file.Value, content.Value);
    }

    private async Task<BacnetResult<Acknowledged>> WaitForIdleAsync(BacnetAddress device, ObjectId port,
        CancellationToken cancellationToken)
    {
        var deadline = Deadline.After(CommandTimeout);
        while (true)
        {
            var command = await client.ReadPropertyAsync(device, port, PropertyIdentifier.Command,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!command.Ok) return Fail("read Command", command.Failure!);
            if (command.Value.Values.FirstOrDefault() is BacnetValue.Enumerated { Value: (uint)NetworkPortCommand.Idle }) return default(
                Acknowledged);
            if (deadline.Passed) return Fail("wait for Command to return to idle",
                new BacnetFailure(FailureKind.Timeout, $"Command not idle after {CommandTimeout.TotalSeconds:F0} s"));
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The requested octet count of a read from <paramref name="start"/>: its ComplexACK fits one APDU of the smaller of the device's
    /// and this client's Max APDU, unless <see cref="FileChunk"/> asks for more and the answer may come segmented.
    /// </summary>
    public int ReadCount(BacnetAddress device, long start)
    {
        var limits = client.Limits(device) ?? DeviceLimits.Assumed;
        var fits = AtomicReadFileAck.MaxDataLength(start, Math.Min(limits.MaxApdu, client.MaxApduAccepted));
        return FileChunk is { } asked && (asked <= fits || (limits.TransmitsSegments && client.AcceptsSegmentedResponses)) ? asked : fits;
    }

    /// <summary>
    /// The data size of a write at <paramref name="start"/>: the AtomicWriteFile request fits one APDU of the device's Max APDU, unless
    /// <see cref="FileChunk"/> asks for more and the device accepts segmented requests; then it fits the segments the device accepts
    /// (Max_Segments_Accepted, 255 when not known), each a Max APDU less the segment header.
    /// </summary>
    public int WriteSize(BacnetAddress device, ObjectId file, long start)
    {
        var limits = client.Limits(device) ?? DeviceLimits.Assumed;
        var fits = AtomicWriteFileRequest.MaxDataLength(file, start, limits.MaxApdu);
        if (FileChunk is not { } asked || asked <= fits) return FileChunk ?? fits;
        if (!limits.ReceivesSegments) return fits;
        var segments = Math.Min(255, limits.MaxSegments ?? 255);
        var segmentedFits = AtomicWriteFileRequest.MaxDataLength(file, start,
            segments * (limits.MaxApdu - Apdu.SegmentedConfirmedRequestHeader) + Apdu.ConfirmedRequestHeader);
        return Math.Min(asked, Math.Max(fits, segmentedFits));
    }

    /// <summary>Reads a whole file with stream-access AtomicReadFile until end-of-file, each answer sized to fit (<see
    /// cref="ReadCount"/>).</summary>
    public async Task<BacnetResult<ImmutableArray<byte>>> ReadFileAsync(BacnetAddress device, ObjectId file,
        CancellationToken cancellationToken = default)
    {
        var data = ImmutableArray.CreateBuilder<byte>();
        while (true)
        {
            var count = (uint)ReadCount(device, data.Count);
            var chunk = await client.AtomicReadFileAsync(device, new AtomicReadFileRequest(file, data.Count, count),
                cancellationToken).ConfigureAwait(false);
            if (!chunk.Ok) return chunk.Failure!;
            if (chunk.Value.Start != data.Count) return new BacnetFailure(FailureKind.Malformed,
                $"file data at {chunk.Value.Start}, asked {data.Count}");
            data.AddRange(chunk.Value.Data);
            if (data.Count > MaxFileSize) return new BacnetFailure(FailureKind.TooLarge, $"file larger than {MaxFileSize} bytes");
            if (chunk.Value.EndOfFile) return data.ToImmutable();
            if (chunk.Value.Data.Length == 0) return new BacnetFailure(FailureKind.Malformed, "no data and no end of file");
        }
    }

    /// <summary>
    /// Replaces a file's content: File_Size := 0 (AtomicWriteFile at 0 is not assumed to truncate), then stream writes sized to fit
    /// (<see cref="WriteSize"/>). A device that refuses File_Size := 0 with write-access-denied (135 12.13.4 wants it writable for a
    /// stream file whose size can change; some devices do not) is written from offset 0 all the same: the result says so, and only
    /// reading the file back (<see cref="InstallAsync"/> does) proves what it holds.
    /// </summary>
    public async Task<BacnetResult<FileWrite>> WriteFileAsync(BacnetAddress device, ObjectId file, ReadOnlyMemory<byte> content,
        CancellationToken cancellationToken = default)
    {
        var truncate = await client.WritePropertyAsync(device,
            WritePropertyRequest.Of(file, PropertyIdentifier.FileSize, BacnetValue.FromUnsigned(0)), cancellationToken).ConfigureAwait(
            false);
        var truncated = truncate.Ok;
        if (!truncate.Ok && truncate.Failure!.Error is not { Class: ErrorClass.Property, Code: ErrorCode.WriteAccessDenied })
            return truncate.Failure;
        for (var offset = 0; offset < content.Length;)
        {
            var size = Math.Min(WriteSize(device, file, offset), content.Length - offset);
            var slice = content.Slice(offset, size);
            var written = await client.AtomicWriteFileAsync(device, new AtomicWriteFileRequest(file, offset, [.. slice.Span]),
                cancellationToken).ConfigureAwait(false);
            if (!written.Ok) return written.Failure!;
            offset += size;
        }
        return new FileWrite(file, content.Length, truncated);
    }

    /// <summary>
    /// Installs issuer certificates (first, into the port's Issuer_Certificate_Files in order), then the operational
    /// certificate; reads each file back and compares; then ReinitializeDevice ACTIVATE_CHANGES, checks Changes_Pending is false
    /// and reads the operational certificate once more: a device that restarted before the activation dropped the pending files
    /// and acknowledges an activation with nothing to activate, so only the file tells. A device that refuses the certificate answers the
    /// activation with its BACnet error
    /// (typically device/invalid-configuration-data); the changes stay pending so <see cref="DiscardChangesAsync"/> can undo them.
    /// </summary>
    public async Task<BacnetResult<InstallReport>> InstallAsync(BacnetAddress device, ObjectId port,
        IReadOnlyList<ReadOnlyMemory<byte>> issuers,
        ReadOnlyMemory<byte> operational, string? password = null, CancellationToken cancellationToken = default)
    {
        var issuerFiles = await client.ReadPropertyAsync(device, port, PropertyIdentifier.IssuerCertificateFiles,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!issuerFiles.Ok) return Fail("read Issuer_Certificate_Files", issuerFiles.Failure!);
        var slots = issuerFiles.Value.Values.OfType<BacnetValue.ObjectIdentifier>().Select(o => o.Value).ToList();
        if (slots.Count < issuers.Count)
            return Fail("read Issuer_Certificate_Files", new BacnetFailure(FailureKind.TooLarge,
                $"the port has {slots.Count} issuer file(s), {issuers.Count} given"));
        var operationalRef = await client.ReadPropertyAsync(device, port, PropertyIdentifier.OperationalCertificateFile,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!operationalRef.Ok) return Fail("read Operational_Certificate_File", operationalRef.Failure!);
        if (operationalRef.Value.Values.FirstOrDefault()
            is not BacnetValue.ObjectIdentifier { Value.Type: ObjectType.File } operationalFile)
            return Fail("read Operational_Certificate_File", new BacnetFailure(FailureKind.Malformed, "not a File object identifier"));

        var writes = issuers.Select((content, i) => (File: slots[i], Content: content)).Append(
            (File: operationalFile.Value, Content: operational));
        var files = new List<FileWrite>();
        foreach (var (file, content) in writes)
        {
            var written = await WriteFileAsync(device, file, content, cancellationToken).ConfigureAwait(false);
            if (!written.Ok) return Fail($"write {file}", written.Failure!);
            var readBack = await VerifyFileAsync(device, file, content, $"read back {file}",
                held => $"the device holds {held} bytes that differ from the {content.Length} written" +
                    (written.Value.Truncated ? ""
                        : " (File_Size := 0 was refused, so it was written from offset 0 over what the file held)"),
                        cancellationToken).ConfigureAwait(false);
            if (!readBack.Ok) return readBack.Failure!;
            files.Add(written.Value);
        }
        var activate = await client.ReinitializeDeviceAsync(device,
            new ReinitializeDeviceRequest(ReinitializedState.ActivateChanges, password), cancellationToken).ConfigureAwait(false);
        if (!activate.Ok) return Fail("ReinitializeDevice ACTIVATE_CHANGES", activate.Failure!);
        var pending = await client.ReadPropertyAsync(device, port, PropertyIdentifier.ChangesPending,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (pending.Ok && pending.Value.Values.FirstOrDefault() is BacnetValue.Boolean { Value: true })
            return Fail("read Changes_Pending", new BacnetFailure(FailureKind.Malformed, "changes still pending after activation"));
        var final = await VerifyFileAsync(device, operationalFile.Value, operational, $"read {operationalFile.Value} after activation",
            _ => "the device does not hold the certificate written (did it restart before the activation and drop the pending changes?)",
                cancellationToken).ConfigureAwait(false);
        return final.Ok ? new InstallReport(files) : final.Failure!;
    }

    /// <summary>Reads a file back and compares it with what it should hold; a difference fails <paramref name="step"/> with <paramref
    /// name="differs"/> (given the bytes held).</summary>
    private async Task<BacnetResult<Acknowledged>> VerifyFileAsync(BacnetAddress device, ObjectId file, ReadOnlyMemory<byte> expected,
        string step,
        Func<int, string> differs, CancellationToken cancellationToken)
    {
        var held = await ReadFileAsync(device, file, cancellationToken).ConfigureAwait(false);
        if (!held.Ok) return Fail(step, held.Failure!);
        return held.Value.AsSpan().SequenceEqual(expected.Span) ? default(Acknowledged)
            : Fail(step, new BacnetFailure(FailureKind.Malformed, differs(held.Value.Length)));
    }

    /// <summary>Command := discard-changes (1): the device drops pending certificate files and a pending key.</summary>
    public async Task<BacnetResult<Acknowledged>> DiscardChangesAsync(BacnetAddress device, ObjectId port,
        CancellationToken cancellationToken = default)
    {
        var write = await client.WritePropertyAsync(device,
            WritePropertyRequest.Of(port, PropertyIdentifier.Command, BacnetValue.FromEnumerated((uint)NetworkPortCommand.DiscardChanges)),
            cancellationToken).ConfigureAwait(false);
        return write.Ok ? await WaitForIdleAsync(device, port, cancellationToken).ConfigureAwait(false)
            : Fail("write Command := discard-changes", write.Failure!);
    }

    private static BacnetFailure Fail(string step, BacnetFailure failure) => failure with { Detail = $"{step}: {failure.Detail}" };
}
