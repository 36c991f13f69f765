using CertLsp.Core.Diagnostics;
using CertLsp.Core.Manifest;
using CertLsp.Core.Text;

namespace CertLsp.Core.Rules;

/// <summary>CL0501: the key algorithm and size (or curve) must be one the CA profile accepts.</summary>
public sealed class KeyProfileRule : IManifestRule
{
    /// <summary>What each CA profile accepts: RSA sizes and ECDSA curves.</summary>
    public static readonly IReadOnlyDictionary<string, (int[] RsaBits, string[] Curves, string Text)> Profiles = new Dictionary<string,
        (int[], string[], string)>
    {
        ["enos"] = ([2048], [], "RSA 2048 only"),
        ["bacnet-sc"] = ([2048, 3072, 4096], ["P-256"], "RSA 2048, 3072 or 4096, or ECDSA P-256"),
        ["generic"] = ([2048, 3072, 4096], ["P-256", "P-384"], "RSA 2048, 3072 or 4096, or ECDSA P-256 or P-384"),
    };

    public void Check(SiteManifest manifest, DiagnosticBuilder builder, ICollection<Diagnostic> diagnostics)
    {
        if (!Profiles.TryGetValue(manifest.Ca.ProfileName, out var profile)) return; // CL0003 already
        var key = manifest.Key;
        TextSpan Where(Yaml.YamlScalar? preferred) => (preferred ?? key.Algorithm ?? manifest.Ca.Profile)?.Span ?? default;
        if (key.AlgorithmName == "ecdsa")
        {
            if (profile.Curves.Contains(key.CurveName)) return;
            // A profile with no curves refuses ECDSA itself: the algorithm is the offending node, not the curve.
            bool curveWasTheProblem = key.Curve is not null && profile.Curves.Length > 0;
            var span = Where(curveWasTheProblem ? key.Curve : key.Algorithm);
            if (span == default) return;
            diagnostics.Add(builder.KeyNotAccepted(span, manifest.Ca.ProfileName, $"ECDSA {key.CurveName}", profile.Text,
                curveWasTheProblem ? key.Curve : key.Algorithm, curveWasTheProblem ? profile.Curves[0] : "rsa"));
        }
        else
        {
            if (profile.RsaBits.Contains(key.RsaBits)) return;
            var span = Where(key.Size);
            if (span == default) return;
            diagnostics.Add(builder.KeyNotAccepted(span, manifest.Ca.ProfileName, $"RSA {key.RsaBits}", profile.Text, key.Size, "2048"));
        }
    }
}
