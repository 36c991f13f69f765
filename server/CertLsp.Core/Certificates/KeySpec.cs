using System.Security.Cryptography;
using CertLsp.Core.Manifest;

namespace CertLsp.Core.Certificates;

/// <summary>Which key pair a device gets: RSA of some size (SHA-256, PKCS#1 v1.5 signatures) or ECDSA on a named curve.</summary>
public sealed record KeySpec(bool IsEcdsa, int RsaBits, string Curve)
{
    public static KeySpec Rsa2048 { get; } = new(false, 2048, "P-256");

    public static KeySpec EcdsaP256 { get; } = new(true, 2048, "P-256");

    public static KeySpec From(KeySettings settings) => new(settings.AlgorithmName == "ecdsa", settings.RsaBits, settings.CurveName);

    public override string ToString() => IsEcdsa ? $"ECDSA {Curve}" : $"RSA {RsaBits}";

    public AsymmetricAlgorithm Generate() => IsEcdsa
        ? ECDsa.Create(Curve switch
        {
            "P-384" => ECCurve.NamedCurves.nistP384,
            _ => ECCurve.NamedCurves.nistP256,
        })
        : RSA.Create(RsaBits);

    public HashAlgorithmName Hash => IsEcdsa && Curve == "P-384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
}
