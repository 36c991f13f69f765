namespace CertLsp.Workflows.Certificates;

/// <summary>
/// The commissioning tool's files (“bacnet.secureConnect.tool”): its keys in the manifest's key folder and its bundle beside the devices',
/// under a name no device's can take (“@tool.” and the tool's name, made safe by <see cref="SafeNames"/>), so a device named as the tool
/// never shares a file with it.
/// </summary>
public static class ToolFiles
{
    /// <summary>The name the key store and the bundle writer know the tool by.</summary>
    public static string Name(string tool) => "@tool." + tool;
}
