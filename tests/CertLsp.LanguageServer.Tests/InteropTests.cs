using System.Text.Json;

namespace CertLsp.LanguageServer.Tests;

/// <summary>The real `certlsp lsp` over stdio, driven by the official LSP client library from npm.</summary>
public sealed class InteropTests : IDisposable
{
    private readonly string workspace = Directory.CreateTempSubdirectory("certlsp-interop-").FullName;

    [NeedsFact(Needs.NpmPeers)]
    public void An_editor_session_with_vscode_languageserver_protocol_passes_every_step()
    {
        foreach (var site in new[] { "harbor-tower", "riverside-campus" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "examples", site), "*.site.yaml"))
            {
                File.Copy(file, Path.Combine(workspace, Path.GetFileName(file)));
            }
        }
        var (exit, stdout, stderr) = Repository.Run("node",
            [Path.Combine(Repository.Interop, "lsp", "editor-session.mjs"), Repository.CliDll, workspace]);
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var report = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
        Assert.True(report.GetProperty("ok").GetBoolean());
        Assert.Equal(8, report.GetProperty("steps").GetArrayLength());
    }

    public void Dispose() => Directory.Delete(workspace, recursive: true);
}
