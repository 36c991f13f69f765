using System.Reflection.Metadata;

namespace CertLsp.Core.Tests.Layering;

/// <summary>Names of the types an assembly refers to, as the layering tests compare them ("System.IO.File", "Outer+Inner").</summary>
internal static class MetadataNames
{
    /// <summary>A referenced type's full name; a nested type is named by the type that holds it: Outer+Inner.</summary>
    public static string Of(MetadataReader reader, TypeReference type)
    {
        string name = reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return Of(reader, reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)) + "+" + name;
        }
        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>A type of the assembly itself, named the same way.</summary>
    public static string Of(MetadataReader reader, TypeDefinition type)
    {
        string name = reader.GetString(type.Name);
        var outer = type.GetDeclaringType();
        if (!outer.IsNil) return Of(reader, reader.GetTypeDefinition(outer)) + "+" + name;
        string ns = reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    /// <summary>
    /// The full name of a member's declaring type when it is a referenced type, or a generic instance of one (Task`1 for
    /// Task&lt;int&gt;); null for a type of the assembly itself or anything else.
    /// </summary>
    public static string? OfParent(MetadataReader reader, EntityHandle parent)
    {
        switch (parent.Kind)
        {
            case HandleKind.TypeReference:
                return Of(reader, reader.GetTypeReference((TypeReferenceHandle)parent));
            case HandleKind.TypeSpecification:
                // A generic instance (ECMA-335 II.23.2.12): GENERICINST, CLASS or VALUETYPE, the generic type, its arguments.
                var blob = reader.GetBlobReader(reader.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
                var instance = blob.ReadSignatureTypeCode();
                var handle = blob.ReadSignatureTypeCode();
                if (instance != SignatureTypeCode.GenericTypeInstance || handle != SignatureTypeCode.TypeHandle) return null;
                var generic = blob.ReadTypeHandle();
                return generic.Kind == HandleKind.TypeReference ? Of(reader, reader.GetTypeReference((TypeReferenceHandle)generic)) : null;
            default:
                return null;
        }
    }
}
