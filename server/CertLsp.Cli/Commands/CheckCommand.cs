using System.CommandLine;
using CertLsp.Cli.Output;
using CertLsp.Core.Checking;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp check &lt;files or folders&gt; [--format text|json|sarif|codeclimate] [--exclude GLOB]…</c>: the manifest checks for
/// terminals and CI, with the rule levels of the nearest certlsp.json; an untrusted ledger (CL0405) and a certlsp.json that is not valid
/// (CL0701) are findings like any other, in their own file.
/// </summary>
public static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Manifests (*.site.yaml) or folders to search for them", Arity =
            ArgumentArity.OneOrMore
        };
        var format = new Option<string>("--format", "-f")
        {
            Description =
            "Output format: text, json, sarif or codeclimate (GitLab code quality)", DefaultValueFactory = _ => "text"
        };
        format.AcceptOnlyFromAmong("text", "json", "sarif", "codeclimate");
        var exclude = new Option<string[]>("--exclude")
        {
            Description =
                "Leave out files and folders that match this glob when searching a folder (repeatable; gitignore-like, relative to the " +
                "folder; the folder's .certlspignore is read too)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("check", "Check site manifests; exit 1 when any has errors, 2 when the check could not run") { paths,
            format, exclude };
        command.SetAction(result => Run(result.GetValue(paths)!, result.GetValue(format)!, stdout, stderr, result.GetValue(exclude) ?? []));
        return command;
    }

    public static int Run(IReadOnlyList<string> inputs, string format, TextWriter stdout, TextWriter stderr,
        IReadOnlyList<string>? exclude = null)
    {
        CheckResult result;
        try
        {
            result = Load(inputs, exclude, problem => stderr.WriteLine($"certlsp: warning: {problem}"));
        }
        catch (ManifestReadException ex)
        {
            stderr.WriteLine($"certlsp: {ex.Message}");
            return Program.CouldNotRun;
        }
        if (result.Documents.IsEmpty)
        {
            stderr.WriteLine($"certlsp: no site manifests (*.site.yaml, *.site.yml) in {string.Join(", ", inputs)}");
            return Program.CouldNotRun;
        }
        var report = format switch
        {
            "json" => (IReport)new JsonReport(),
            "sarif" => new SarifReport(),
            "codeclimate" => new CodeClimateReport(),
            _ => new TextReport(),
        };
        report.Write(result, stdout);
        return result.HasErrors ? Program.Findings : Program.Ok;
    }

    public static CheckResult Load(IReadOnlyList<string> inputs, IReadOnlyList<string>? exclude = null, Action<string>? problems = null)
    {
        var files = ManifestFiles.Expand(inputs, exclude, problems);
        var paths = files.Select(DisplayPath.For).ToArray();
        // Read one by one, so that an unreadable file surfaces as its own one-line ManifestReadException
        // (not wrapped by Parallel.For) and always the first one in path order; then parse in parallel.
        var texts = paths.Select(ManifestFiles.Read).ToArray();
        var ledgers = files.Select(LedgerFile.PathFor).Select(l => LedgerFile.Input(l, DisplayPath.For(l))).ToArray();
        var configs = new ConfigFiles(DisplayPath.For);
        var settings = files.Select(configs.For).ToArray();
        var documents = new ManifestDocument[paths.Length];
        Parallel.For(0, paths.Length, i => documents[i] = ManifestDocument.Parse(paths[i], texts[i], ledgers[i], settings: settings[i]));
        return ManifestChecker.Check(documents);
    }
}
