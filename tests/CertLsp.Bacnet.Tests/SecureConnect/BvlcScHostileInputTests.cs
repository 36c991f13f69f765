using System.Diagnostics;
using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.SecureConnect;
using Xunit;
using Xunit.Abstractions;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// The BVLC-SC decoder is hostile-input code: a million random and mutated messages (issue 14 asks for exactly this count) go
/// through it; none may throw, none may allocate more than its input warrants, and every message it accepts re-encodes to one
/// that decodes the same. Bad messages give typed failures.
/// </summary>
public class BvlcScHostileInputTests(ITestOutputHelper output)
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>Valid messages of every function, with and without VMACs and options, and the research note's captures.</summary>
    internal static List<byte[]> Seeds()
    {
        var node = Vmac.TryParse("52:1f:3c:4d:5e:6f")!.Value;
        var uuid = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        byte[] whoIs = Hex("0120ffff00ff1008");
        var request = ScMessages.ConnectRequest(0xf2b0, node, uuid);
        var messages = new List<ScMessage>
        {
            request,
            ScMessages.ConnectAccept(request, Vmac.Broadcast, uuid, 6000, 1497),
            ScMessages.Ack(ScMessages.Npdu(1, node, null, whoIs)),
            ScMessages.Nak(request, ScErrorCode.NodeDuplicateVmac, "the VMAC is in use"),
            ScMessages.NpduToHub(0xf3b0, Vmac.Broadcast, whoIs),
            ScMessages.Npdu(0xf3b0, node, Vmac.Broadcast, whoIs),
            ScMessages.Npdu(0xf4b0, node, null, Hex("01001000c4020004d22205c49103220104")),
            new(5, new ScPayload.AddressResolution(), node, Vmac.Broadcast),
            new(6, new ScPayload.AddressResolutionAck(new[] { "wss://127.0.0.2:4443", "wss://127.0.0.3:4443" }), node, node),
            new(7, new ScPayload.Advertisement(ScHubConnectionStatus.ConnectedToPrimaryHub, true, 1600, 1497), node),
            new(8, new ScPayload.AdvertisementSolicitation(), Destination: node),
            ScMessages.DisconnectRequest(9), ScMessages.DisconnectAck(ScMessages.DisconnectRequest(9)),
            ScMessages.HeartbeatRequest(10), ScMessages.HeartbeatAck(ScMessages.HeartbeatRequest(10)),
            new(11, new ScPayload.Proprietary(260, 3, new byte[] { 1, 2, 3, 4 }), node, Vmac.Broadcast),
            ScMessages.Npdu(12, node, Vmac.Broadcast, whoIs) with
            {
                DestinationOptions = new[] { ScHeaderOption.Proprietary(260, 1, [9, 9]) },
                DataOptions = new[] { ScHeaderOption.SecurePath, ScHeaderOption.Proprietary(555, 2, [], true) },
            },
        };
        var seeds = messages.Select(BvlcSc.ToArray).ToList();
        seeds.Add(Hex("06 00 f2b0 521f3c4d5e6f 0f1e2d3c4b5a69788796a5b4c3d2e1f0 dc05 dc05"));
        seeds.Add(Hex("00 00 1234 06 01 00 0700 9700"));
        return seeds;
    }

    internal static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 64)];
        random.NextBytes(bytes);
        if (bytes.Length >= 2 && random.Next(2) == 0) { bytes[0] = (byte)random.Next(14); bytes[1] = (byte)random.Next(16); }
        return bytes;
    }

    [Fact]
    public void AMillionRandomAndMutatedMessagesNeverThrowNorOverAllocate()
    {
        const int messages = 1_000_000;
        var random = new Random(20261206);
        var seeds = Seeds();
        Assert.All(seeds, seed => Assert.True(BvlcSc.Decode(seed).Ok, Convert.ToHexString(seed)));
        long decodedOk = 0, worstAllocation = 0;
        var failures = new Dictionary<DecodeFailure, int>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            var message = i % 10 == 0 ? RandomBytes(random) : HostileInputTests.Mutate(seeds[random.Next(seeds.Count)], random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var decoded = BvlcSc.Decode(message);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worstAllocation = Math.Max(worstAllocation, allocated);
            Assert.True(allocated < 64 * message.Length + 16_384,
                $"decoding {message.Length} octets allocated {allocated}: {Convert.ToHexString(message)}");
            if (!decoded.Ok)
            {
                failures[decoded.Error!.Failure] = failures.GetValueOrDefault(decoded.Error.Failure) + 1;
                Assert.InRange(decoded.Error.Offset, 0, message.Length);
                continue;
            }
            decodedOk++;
            if (i % 16 != 0) continue;
            var again = BvlcSc.Decode(BvlcSc.ToArray(decoded.Value));
            Assert.True(again.Ok && again.Value == decoded.Value, Convert.ToHexString(message));
        }
        watch.Stop();
        output.WriteLine($"{messages} messages in {watch.Elapsed.TotalSeconds:F1} s: {decodedOk} decoded, worst allocation " +
            $"{worstAllocation} octets; failures {string.Join(", ", failures.Select(f => $"{f.Key} {f.Value}"))}");
        Assert.True(decodedOk > messages / 5, "the mutations should often keep a message decodable");
        Assert.True(failures.Count >= 4, "and reach most kinds of failure");
    }

    [Theory]
    [InlineData("", DecodeFailure.Truncated)]
    [InlineData("01", DecodeFailure.Truncated)]
    [InlineData("0d00 0000", DecodeFailure.InvalidValue)]                 // unknown function
    [InlineData("ff00 0000", DecodeFailure.InvalidValue)]
    [InlineData("0110 0000 01", DecodeFailure.InvalidValue)]              // reserved control bit
    [InlineData("0108 0000 0102", DecodeFailure.Truncated)]               // originating VMAC cut off
    [InlineData("010c 0000 020000000001 ffffffff", DecodeFailure.Truncated)] // destination VMAC cut off
    [InlineData("0102 0000", DecodeFailure.Truncated)]                    // option flag, no option
    [InlineData("0101 0000 c1", DecodeFailure.Truncated)]                 // more-follows after the last octet
    [InlineData("0102 0000 bf 0003 000001 bf", DecodeFailure.Truncated)]  // chain ends inside its second option
    [InlineData("0102 0000 3f ffff 01", DecodeFailure.Truncated)]         // option length past the end
    [InlineData("0102 0000 3f 00", DecodeFailure.Truncated)]              // option length cut off
    [InlineData("0101 0000 21 0000 01", DecodeFailure.WrongLength)]       // Secure-Path with data
    [InlineData("0102 0000 1f 01", DecodeFailure.WrongLength)]            // proprietary option without data
    [InlineData("0102 0000 3f 0002 0001 01", DecodeFailure.WrongLength)]  // proprietary option without its type
    [InlineData("0100 0000", DecodeFailure.Truncated)]                    // Encapsulated-NPDU without NPDU
    [InlineData("0600 0000 020000000001", DecodeFailure.Truncated)]       // Connect-Request cut off
    [InlineData("0700 0000 020000000001 00000000000000000000000000000000 05dc 05dc 00", DecodeFailure.TrailingData)]
    [InlineData("0a00 0000 00", DecodeFailure.TrailingData)]              // Heartbeat with a payload
    [InlineData("0500 0000 00", DecodeFailure.TrailingData)]
    [InlineData("0000 0000 06", DecodeFailure.Truncated)]                 // Result without a code
    [InlineData("0000 0000 0602", DecodeFailure.InvalidValue)]            // result code 2
    [InlineData("0000 0000 0e00", DecodeFailure.InvalidValue)]            // result for an unknown function
    [InlineData("0000 0000 0600 00", DecodeFailure.TrailingData)]         // ACK with more
    [InlineData("0000 0000 0601 00 0007", DecodeFailure.Truncated)]       // NAK without its code
    [InlineData("0000 0000 0601 00 0007 0097 ff", DecodeFailure.InvalidValue)] // details not UTF-8
    [InlineData("0300 0000 c328", DecodeFailure.InvalidValue)]            // URIs not UTF-8
    [InlineData("0400 0000 030005dc05dc", DecodeFailure.InvalidValue)]    // hub status 3
    [InlineData("0400 0000 010205dc05dc", DecodeFailure.InvalidValue)]    // accept-direct 2
    [InlineData("0400 0000 0100", DecodeFailure.Truncated)]
    [InlineData("0c00 0000 0001", DecodeFailure.Truncated)]               // proprietary without function
    public void BadMessagesGiveTypedFailures(string hex, DecodeFailure expected)
    {
        var result = BvlcSc.Decode(Hex(hex));
        Assert.False(result.Ok, result.ToString());
        Assert.Equal(expected, result.Error!.Failure);
    }

    [Fact]
    public void OversizeMessagesAreRefusedBeforeAnyWork()
    {
        var message = new byte[ScLengths.OwnMaxBvlcLength + 1];
        message[0] = (byte)ScFunction.EncapsulatedNpdu;
        Assert.Equal(DecodeFailure.Oversized, BvlcSc.Decode(message).Error!.Failure);
        Assert.True(BvlcSc.Decode(message[..^1]).Ok);
        Assert.Equal(DecodeFailure.Oversized, BvlcSc.Decode(message[..100], maxLength: 99).Error!.Failure);
    }

    [Fact]
    public void AnOptionChainWithoutEndIsTruncatedAndBounded()
    {
        // A message of the largest accepted size that is nothing but options with more-follows set: the decoder walks it to
        // the end, allocates in proportion, and reports the chain truncated.
        var message = new byte[ScLengths.OwnMaxBvlcLength];
        message[0] = (byte)ScFunction.EncapsulatedNpdu;
        message[1] = (byte)ScControl.DataOptions;
        for (var i = 4; i < message.Length; i++) message[i] = 0xC1;  // more-follows, must-understand, Secure-Path
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = BvlcSc.Decode(message);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(DecodeFailure.Truncated, result.Error!.Failure);
        Assert.Equal(message.Length, result.Error.Offset);
        Assert.True(allocated < 64 * message.Length + 16_384, $"{allocated} octets allocated");
    }
}
