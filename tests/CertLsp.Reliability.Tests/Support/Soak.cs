namespace CertLsp.Reliability.Tests.Support;

/// <summary>CERTLSP_SOAK=1 multiplies the counts of the fault and load tests (the default run stays within minutes on 2 cores).</summary>
public static class Soak
{
    public static bool On { get; } = Environment.GetEnvironmentVariable("CERTLSP_SOAK") == "1";

    public static int Scale(int normal, int factor = 10) => On ? normal * factor : normal;

    /// <summary>A random seed, or CERTLSP_SEED to replay a run whose seed a test printed.</summary>
    public static int Seed() => int.TryParse(Environment.GetEnvironmentVariable("CERTLSP_SEED"), out int seed) ? seed
        : Environment.TickCount;
}
