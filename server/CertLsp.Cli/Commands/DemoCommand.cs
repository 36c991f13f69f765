using System.CommandLine;

namespace CertLsp.Cli.Commands;

/// <summary>
/// <c>certlsp demo</c>: the main job on the bundled example site. For now: check every manifest in examples/
/// and print the findings (the CSR, import and BACnet steps join as they land).
/// </summary>
public static class DemoCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Option<string?>("--examples") { Description = "The examples folder (default: examples/ beside the tool's repository)" };
        var command = new Command("demo", "Run the whole job on the bundled example site") { folder };
        command.SetAction(result => Run(result.GetValue(folder), stdout, stderr));
        return command;
    }

    public static int Run(string? examples, TextWriter stdout, TextWriter stderr)
    {
        examples ??= FindExamples();
        if (examples is null)
        {
            stderr.WriteLine("certlsp: cannot find the examples folder; pass --examples DIR");
            return Program.CouldNotRun;
        }
        foreach (var site in Directory.GetDirectories(examples).Order(StringComparer.Ordinal))
        {
            stdout.WriteLine($"== certlsp check {Output.DisplayPath.For(site)}");
            CheckCommand.Run([site], "text", stdout, stderr);
            stdout.WriteLine();
        }
        stdout.WriteLine("The demo checked every example site. Sites with findings show what CertLsp catches before a CA sees it.");
        return Program.Ok;
    }

    private static string? FindExamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "CertLsp.sln"))) return candidate;
        }
        var cwd = Path.Combine(Directory.GetCurrentDirectory(), "examples");
        return Directory.Exists(cwd) ? cwd : null;
    }
}
