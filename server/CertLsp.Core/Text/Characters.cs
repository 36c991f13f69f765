namespace CertLsp.Core.Text;

/// <summary>Length as people, X.520 upper bounds and JSON Schema's minLength/maxLength count it.</summary>
public static class Characters
{
    /// <summary>Characters (Unicode scalar values), not bytes or UTF-16 units: "🏢" is one.</summary>
    public static int Count(string value)
    {
        int count = 0;
        foreach (var _ in value.EnumerateRunes()) count++;
        return count;
    }
}
