namespace CertLsp.Core.Rules;

/// <summary>Every rule, in the order their findings are made.</summary>
public static class RuleSet
{
    public static IReadOnlyList<IManifestRule> ManifestRules { get; } =
    [
        new SubjectMandatoryRule(),
        new SubjectFieldLengthRule(),
        new CountryCodeRule(),
        new EmailRule(),
        new SubjectEncodingRule(),
        new SubjectSpacesRule(),
        new CommonNameLengthRule(),
        new DomainNameRule(),
        new HostNameRule(),
        new BatchSizeRule(),
        new RequestPlanRule(),
        new KeyProfileRule(),
        new DuplicateInstanceRule(),
        new InstanceRangeRule(),
        new AddressRule(),
        new ToolCommonNameRule(),
        new HubUriRule(),
        new HubIssuerRule(),
    ];

    public static IReadOnlyList<ILedgerRule> LedgerRules { get; } =
    [
        new CommonNameTakenRule(),
        new RenewalCommonNameRule(),
        new PendingRequestRule(),
        new CertificateExpiredRule(),
        new CertificateExpiringRule(),
        new CertificateRevokedRule(),
        new ToolCertificateMissingRule(),
        new ToolCertificateExpiryRule(),
        new ToolClientAuthRule(),
    ];

    public static IReadOnlyList<IWorkspaceRule> WorkspaceRules { get; } =
    [
        new DuplicateCommonNameRule(),
    ];
}
