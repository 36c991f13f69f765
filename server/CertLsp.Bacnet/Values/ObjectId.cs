namespace CertLsp.Bacnet;

/// <summary>A BACnet object identifier: 10 bits of object type, 22 bits of instance (20.2.14).</summary>
public readonly record struct ObjectId
{
    public const uint MaxInstance = 0x3FFFFF;
    public const ushort MaxType = 0x3FF;

    public ObjectId(ObjectType type, uint instance)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)type, MaxType);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(instance, MaxInstance);
        Type = type;
        Instance = instance;
    }

    public ObjectType Type { get; }
    public uint Instance { get; }

    public uint Encoded => ((uint)Type << 22) | Instance;

    public static ObjectId FromEncoded(uint raw) => new((ObjectType)(raw >> 22), raw & MaxInstance);

    public static ObjectId Device(uint instance) => new(ObjectType.Device, instance);
    public static ObjectId File(uint instance) => new(ObjectType.File, instance);
    public static ObjectId NetworkPort(uint instance) => new(ObjectType.NetworkPort, instance);

    public override string ToString() => $"{Type}:{Instance}";
}
