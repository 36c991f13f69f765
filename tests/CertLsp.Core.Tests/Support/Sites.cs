namespace CertLsp.Core.Tests.Support;

/// <summary>A clean manifest that rule tests start from, changing one line to make the finding they test.</summary>
public static class Sites
{
    public const string Clean = """
        site: Test Site
        domain: bms.test.example
        ca:
          profile: generic
        subject:
          country: US
          state: Wisconsin
          locality: Milwaukee
          organization: Test Org
          organizationalUnit: Facilities
          email: bms@test.example
        key:
          algorithm: rsa
          size: 2048
        devices:
          - name: AHU-1
            instance: 1001
            address: 127.0.0.2
          - name: AHU-2
            instance: 1002
            address: 127.0.0.3

        """;

    /// <summary>The clean manifest with each <c>find</c> (which must occur exactly once) replaced.</summary>
    public static string With(params (string Find, string Replace)[] changes) => Change(Clean, changes);

    public static string Change(string text, params (string Find, string Replace)[] changes)
    {
        foreach (var (find, replace) in changes)
        {
            int at = text.IndexOf(find, StringComparison.Ordinal);
            Assert.True(at >= 0 && text.IndexOf(find, at + 1, StringComparison.Ordinal) < 0, $"“{find}” must occur exactly once");
            text = string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + find.Length));
        }
        return text;
    }

    /// <summary>The clean manifest with its devices replaced by <paramref name="count"/> generated ones (AHU-1..), each with <paramref
    /// name="extra"/> lines.</summary>
    public static string WithDevices(int count, Func<int, string>? extra = null)
    {
        var sb = new System.Text.StringBuilder(Clean[..(Clean.IndexOf("devices:\n", StringComparison.Ordinal) + "devices:\n".Length)]);
        for (int i = 1; i <= count; i++)
        {
            sb.Append($"  - name: DEV-{i}\n    instance: {i}\n");
            if (extra is not null) sb.Append(extra(i));
        }
        return sb.ToString();
    }
}
