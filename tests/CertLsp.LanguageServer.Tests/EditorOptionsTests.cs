using System.Text.Json;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;

namespace CertLsp.LanguageServer.Tests;

/// <summary>initializationOptions and didChangeConfiguration's settings, read once into typed records: leniently, wrong types
/// named.</summary>
public sealed class EditorOptionsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Initialization_options_are_read_once_with_wrong_types_left_out_and_named()
    {
        var ignored = new List<string>();
        var options = InitializationOptions.Read(Json("""
            { "warningDays": 45, "extraGlobs": ["**/sites/*.yaml"], "exclude": ["fixtures/"], "bacnet": { "bind": "127.0.1.9" },
              "clientCommands": ["certlsp.review"], "workspaceTrusted": true }
            """), ignored.Add);
        Assert.Equal((45, "**/sites/*.yaml", "fixtures/", new EditorBacnet("127.0.1.9"), "certlsp.review", true),
            (options.WarningDays, Assert.Single(options.ExtraGlobs!), Assert.Single(options.Exclude!.Value), options.Bacnet,
                Assert.Single(options.ClientCommands!), options.WorkspaceTrusted));
        Assert.Empty(ignored);

        var wrong = InitializationOptions.Read(Json(
            """{ "warningDays": "soon", "clientCommands": "certlsp.review", "workspaceTrusted": "yes", "exclude": 3 }"""), ignored.Add);
        Assert.Equal(InitializationOptions.None with { }, wrong with { Exclude = null });
        Assert.Null(wrong.WorkspaceTrusted); // "yes" is not trust: untrusted
        Assert.Equal(["warningDays is not a whole number from 0 to 3650: ignored",
            "exclude: certlsp.manifests.exclude is not a list of globs: ignored",
            "clientCommands is not a list of text: ignored", "workspaceTrusted is not true or false: ignored"], ignored);
        Assert.Equal(InitializationOptions.None, InitializationOptions.Read(null, ignored.Add));
        Assert.Equal(InitializationOptions.None, InitializationOptions.Read(Json("7"), ignored.Add));
    }

    [Fact]
    public void Trust_counts_only_outside_the_certlsp_section_which_a_folder_can_set()
    {
        var ignored = new List<string>();
        var fromSection = ConfigurationSettings.Read(Json(
            """{ "settings": { "certlsp": { "workspaceTrusted": true, "manifests": { "exclude": ["a/"] } } } }"""), ignored.Add);
        Assert.Null(fromSection.WorkspaceTrusted);
        Assert.Equal("a/", Assert.Single(fromSection.Exclude!.Value));
        Assert.Equal(true, ConfigurationSettings.Read(Json("""{ "settings": { "workspaceTrusted": true } }"""),
            ignored.Add).WorkspaceTrusted);
        Assert.Equal(new ConfigurationSettings(), ConfigurationSettings.Read(null, ignored.Add));
        Assert.Empty(ignored);
    }
}
