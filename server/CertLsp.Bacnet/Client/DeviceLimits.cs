using CertLsp.Bacnet.Application;

namespace CertLsp.Bacnet.Client;

/// <summary>
/// What a device accepts (135 12.11: Max_APDU_Length_Accepted, Segmentation_Supported, Max_Segments_Accepted), learned from its
/// I-Am or by reading its Device object, remembered per device by the client. <see cref="MaxSegments"/> is null when not known
/// (I-Am does not carry it).
/// </summary>
public sealed record DeviceLimits(int MaxApdu, Segmentation Segmentation, int? MaxSegments = null)
{
    /// <summary>What the client assumes of a device it has learned nothing about: the BACnet/IP maximum, segmentation both ways.</summary>
    public static DeviceLimits Assumed { get; } = new(Apdu.MaxApduLength, Segmentation.Both);

    /// <summary>The device takes segmented requests (5.4.4.1: a client shall not send it one otherwise).</summary>
    public bool ReceivesSegments => Segmentation is Segmentation.Both or Segmentation.Receive;

    /// <summary>The device can send a segmented answer.</summary>
    public bool TransmitsSegments => Segmentation is Segmentation.Both or Segmentation.Transmit;

    /// <summary>A Max APDU on BACnet/IP: at least 50, at most 1476 (a larger value announced, as some stacks do, counts as 1476).</summary>
    public static int ClampApdu(long maxApdu) => (int)Math.Clamp(maxApdu, 50, Apdu.MaxApduLength);

    public override string ToString() =>
        $"Max APDU {MaxApdu}, segmentation {Segmentation switch
        {
            Segmentation.Both => "both",
            Segmentation.Transmit => "transmit",
            Segmentation.Receive => "receive",
            _ => "none"
        }}" +
        (MaxSegments is { } m ? $", max segments {m}" : "");
}
