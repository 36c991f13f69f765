using CertLsp.Bacnet.Encoding;

namespace CertLsp.Bacnet.SecureConnect;

/// <summary>
/// The encoding of BACnetSCHubConnection, the value of SC_Primary_Hub_Connection_Status and SC_Failover_Hub_Connection_Status
/// (clause 21): <c>[0] connection-state, [1] connect-timestamp, [2] disconnect-timestamp (BACnetDateTime), [3] error OPTIONAL,
/// [4] error-details OPTIONAL</c>. As bacnet-stack does, the error and its details are written only in the states
/// disconnected-with-errors and failed-to-connect, the error as a context-tagged enumerated error code; the decoder also takes the
/// error as the constructed <c>Error</c> of the standard (error class, error code). A timestamp never set is written with every
/// octet unspecified (X'FF'). Timestamps are written and read as UTC (a BACnetDateTime carries no zone).
/// </summary>
public static class BacnetScHubConnection
{
    private const byte Unspecified = 0xFF;

    /// <summary>The property value: the elements of the sequence as a client's decoder returns them (each a
    /// <see cref="BacnetValue.Constructed"/>), ready for a ReadProperty answer.</summary>
    public static BacnetValue Encode(ScHubConnectionReport report) => new BacnetValue.Constructed([.. EncodeBytes(report)]);

    /// <summary>The encoding of <paramref name="report"/> (context tags [0] to [4]).</summary>
    public static byte[] EncodeBytes(ScHubConnectionReport report) =>
        Application.BacnetPacket.ToBytes((ref BacnetWriter w) =>
        {
            w.WriteEnumerated(0, true, (uint)report.State);
            WriteDateTime(ref w, 1, report.ConnectTime);
            WriteDateTime(ref w, 2, report.DisconnectTime);
            if (report.State is not (ScConnectionState.DisconnectedWithErrors or ScConnectionState.FailedToConnect)) return;
            w.WriteEnumerated(3, true, (uint)(report.Error ?? ScErrorCode.Other));
            if (!string.IsNullOrEmpty(report.ErrorDetails)) w.WriteCharacterString(4, true, report.ErrorDetails);
        }) ?? throw new ArgumentException("the error details are too long for a property value", nameof(report));

    private static void WriteDateTime(ref BacnetWriter w, byte number, DateTimeOffset? time)
    {
        w.WriteOpening(number);
        w.WriteTag((byte)ApplicationTag.Date, false, 4);
        if (time is { } t)
        {
            var u = t.UtcDateTime;
            w.WriteByte((byte)(u.Year - 1900)); w.WriteByte((byte)u.Month); w.WriteByte((byte)u.Day);
            w.WriteByte((byte)(((int)u.DayOfWeek + 6) % 7 + 1));
            w.WriteTag((byte)ApplicationTag.Time, false, 4);
            w.WriteByte((byte)u.Hour); w.WriteByte((byte)u.Minute); w.WriteByte((byte)u.Second); w.WriteByte((byte)(u.Millisecond / 10));
        }
        else
        {
            for (var i = 0; i < 4; i++) w.WriteByte(Unspecified);
            w.WriteTag((byte)ApplicationTag.Time, false, 4);
            for (var i = 0; i < 4; i++) w.WriteByte(Unspecified);
        }
        w.WriteClosing(number);
    }

    /// <summary>Decodes the property value as a client's ReadProperty returns it (the elements, each a
    /// <see cref="BacnetValue.Constructed"/>, or one holding them all). False, with <paramref name="problem"/> saying why, when it
    /// is not a BACnetSCHubConnection; never throws.</summary>
    public static bool TryDecode(IReadOnlyList<BacnetValue> values, out ScHubConnectionReport report, out string? problem)
    {
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            if (value is not BacnetValue.Constructed constructed)
            {
                report = ScHubConnectionReport.Initial;
                problem = $"an application-tagged {value.GetType().Name} where context-tagged elements were expected";
                return false;
            }
            bytes.AddRange(constructed.Encoding);
        }
        return TryDecode([.. bytes], out report, out problem);
    }

    /// <summary>Decodes the encoding of a BACnetSCHubConnection (context tags [0] to [4], nothing after).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoding, out ScHubConnectionReport report, out string? problem)
    {
        report = ScHubConnectionReport.Initial;
        var r = new BacnetReader(encoding);
        var state = r.ReadEnumerated(0, true, "connection-state");
        if (!state.Ok) return Fail(state.Error!, out problem);
        if (state.Value > (uint)ScConnectionState.FailedToConnect)
        {
            problem = $"connection-state {state.Value} is not 0..3";
            return false;
        }
        var connect = ReadDateTime(ref r, 1);
        if (!connect.Ok) return Fail(connect.Error!, out problem);
        var disconnect = ReadDateTime(ref r, 2);
        if (!disconnect.Ok) return Fail(disconnect.Error!, out problem);
        ScErrorCode? error = null;
        string? details = null;
        if (r.NextIsContext(3))
        {
            var code = r.ReadEnumerated(3, true, "error");
            if (!code.Ok) return Fail(code.Error!, out problem);
            error = (ScErrorCode)code.Value;
        }
        else if (r.NextIsOpening(3))
        {
            if (r.ReadOpening(3) is { } opening) return Fail(opening, out problem);
            var errorClass = r.ReadEnumerated((byte)ApplicationTag.Enumerated, false, "error-class");
            if (!errorClass.Ok) return Fail(errorClass.Error!, out problem);
            var code = r.ReadEnumerated((byte)ApplicationTag.Enumerated, false, "error-code");
            if (!code.Ok) return Fail(code.Error!, out problem);
            if (r.ReadClosing(3) is { } closing) return Fail(closing, out problem);
            error = (ScErrorCode)code.Value;
        }
        if (r.NextIsContext(4))
        {
            var text = r.ReadCharacterString(4, true, "error-details");
            if (!text.Ok) return Fail(text.Error!, out problem);
            details = text.Value;
        }
        if (r.ExpectEnd() is { } trailing) return Fail(trailing, out problem);
        report = new ScHubConnectionReport((ScConnectionState)state.Value, connect.Value, disconnect.Value, error, details);
        problem = null;
        return true;
    }

    private static bool Fail(DecodeError error, out string? problem)
    {
        problem = error.ToString();
        return false;
    }

    /// <summary>A BACnetDateTime: null when any field is unspecified or the date is impossible.</summary>
    private static Decoded<DateTimeOffset?> ReadDateTime(ref BacnetReader r, byte number)
    {
        if (r.ReadOpening(number) is { } open) return open;
        var date = r.ReadApplicationValue();
        if (!date.Ok) return date.Error!;
        var time = r.ReadApplicationValue();
        if (!time.Ok) return time.Error!;
        if (date.Value is not BacnetValue.Date d || time.Value is not BacnetValue.Time t)
            return new DecodeError(DecodeFailure.WrongTag, r.Position, $"[{number}] is not a date and a time");
        if (r.ReadClosing(number) is { } close) return close;
        if (d.Year == Unspecified || d.Month is 0 or > 12 || d.Day is 0 or > 31 || t.Hour > 23 || t.Minute > 59 || t.Second > 59
            || t.Hundredths > 99)
            return new Decoded<DateTimeOffset?>((DateTimeOffset?)null);
        var year = 1900 + d.Year;
        if (d.Day > DateTime.DaysInMonth(year, d.Month)) return new Decoded<DateTimeOffset?>((DateTimeOffset?)null);
        return new Decoded<DateTimeOffset?>(new DateTimeOffset(year, d.Month, d.Day, t.Hour, t.Minute, t.Second, t.Hundredths * 10,
            TimeSpan.Zero));
    }
}
