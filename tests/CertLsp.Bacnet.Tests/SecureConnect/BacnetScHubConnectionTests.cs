using CertLsp.Bacnet.Encoding;
using CertLsp.Bacnet.SecureConnect;
using Xunit;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>The encoding of BACnetSCHubConnection (SC_Primary/Failover_Hub_Connection_Status): round trips, bacnet-stack's form,
/// the standard's constructed Error, and bad input refused without throwing.</summary>
public class BacnetScHubConnectionTests
{
    private static readonly DateTimeOffset Connected = new(2026, 12, 5, 8, 59, 5, 450, TimeSpan.Zero);

    [Fact]
    public void A_connected_status_has_no_error_and_an_unspecified_disconnect_time()
    {
        var bytes = BacnetScHubConnection.EncodeBytes(new ScHubConnectionReport(ScConnectionState.Connected, Connected));
        // as bacnet-stack's bacserv answered: {1, 2026/12/05-08:59:05.45, unspecified}; 2026-12-05 is a Saturday (6)
        Assert.Equal("0901" + "1EA47E0C0506B4083B052D1F" + "2EA4FFFFFFFFB4FFFFFFFF2F", Convert.ToHexString(bytes));
        Assert.True(BacnetScHubConnection.TryDecode(bytes, out var report, out var problem), problem);
        Assert.Equal(new ScHubConnectionReport(ScConnectionState.Connected, Connected), report);
    }

    [Fact]
    public void A_failed_connection_carries_its_error_and_details_both_ways()
    {
        var failed = new ScHubConnectionReport(ScConnectionState.FailedToConnect, null, Connected, ScErrorCode.TlsError,
            "TLS handshake failed: expired on 2026-12-04 00:00:00 UTC");
        var value = BacnetScHubConnection.Encode(failed);
        Assert.True(BacnetScHubConnection.TryDecode([value], out var report, out var problem), problem);
        Assert.Equal(failed, report);
        // the elements as a client's ReadProperty decoder returns them: one Constructed per context-tagged element
        var bytes = BacnetScHubConnection.EncodeBytes(failed);
        Assert.StartsWith("0903", Convert.ToHexString(bytes), StringComparison.Ordinal);
        Assert.Contains("39BC4D", Convert.ToHexString(bytes), StringComparison.Ordinal);  // [3] error TLS_ERROR (188)
        var ack = Services.ReadPropertyAck.Decode(Application.BacnetPacket.ToBytes((ref BacnetWriter w) =>
            new Services.ReadPropertyAck(ObjectId.NetworkPort(2), PropertyIdentifier.ScPrimaryHubConnectionStatus, null, new[] { value })
                .Encode(ref w))!);
        Assert.True(ack.Ok, ack.ToString());
        Assert.True(ack.Value.Values.Count >= 4);
        Assert.True(BacnetScHubConnection.TryDecode(ack.Value.Values, out var read, out problem), problem);
        Assert.Equal(failed, read);
    }

    [Fact]
    public void The_error_is_not_written_in_states_without_errors()
    {
        var bytes = BacnetScHubConnection.EncodeBytes(new ScHubConnectionReport(ScConnectionState.NotConnected, Connected, Connected,
            ScErrorCode.Other, "stale"));
        Assert.True(BacnetScHubConnection.TryDecode(bytes, out var report, out _));
        Assert.Null(report.Error);
        Assert.Null(report.ErrorDetails);
    }

    [Fact]
    public void The_standards_constructed_error_is_read_too()
    {
        // [3] { error-class communication (7), error-code TLS_CLIENT_CERTIFICATE_ERROR (180) }, [4] "no"
        var bytes = Convert.FromHexString("0903" + "1EA4FFFFFFFFB4FFFFFFFF1F" + "2EA47E0C0506B4083B052D2F" + "3E910791B43F" + "4B00" +
            "6E6F");
        Assert.True(BacnetScHubConnection.TryDecode(bytes, out var report, out var problem), problem);
        Assert.Equal(ScErrorCode.TlsClientCertificateError, report.Error);
        Assert.Equal("no", report.ErrorDetails);
        Assert.Equal(Connected, report.DisconnectTime);
        Assert.Null(report.ConnectTime);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("0904" + "1EA4FFFFFFFFB4FFFFFFFF1F" + "2EA4FFFFFFFFB4FFFFFFFF2F", "state out of range")]
    [InlineData("0901" + "1EA4FFFFFFFFB4FFFFFFFF1F", "no disconnect time")]
    [InlineData("0901" + "1EA4FFFFFFFF1F" + "2EA4FFFFFFFFB4FFFFFFFF2F", "a date without time")]
    [InlineData("0901" + "1EA4FFFFFFFFB4FFFFFFFF1F" + "2EA4FFFFFFFFB4FFFFFFFF2F" + "00", "trailing data")]
    [InlineData("0901" + "1EA4FFFFFFFFB4FFFFFFFF1F" + "2EA4FFFFFFFFB4FFFFFFFF2F" + "3E91073F", "an Error without its code")]
    public void Bad_encodings_are_refused_with_a_reason(string hex, string what)
    {
        Assert.False(BacnetScHubConnection.TryDecode(Convert.FromHexString(hex), out var report, out var problem), what);
        Assert.False(string.IsNullOrEmpty(problem));
        Assert.Equal(ScHubConnectionReport.Initial, report);
    }

    [Fact]
    public void An_application_value_is_not_a_hub_connection() =>
        Assert.False(BacnetScHubConnection.TryDecode([BacnetValue.FromEnumerated(1)], out _, out _));

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(14);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > 2) { bytes[0] = 0x09; bytes[1] = (byte)random.Next(0, 4); }
            BacnetScHubConnection.TryDecode(bytes, out _, out _);
        }
    }
}
