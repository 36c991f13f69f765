using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace CertLsp.Core.Tests.Layering;

/// <summary>
/// Stdout of <c>certlsp lsp</c> is the protocol, and the libraries under the hosts have no console: a Console write in
/// CertLsp.Core, CertLsp.Workflows or CertLsp.LanguageServer is build error RS0030 (the banned-API analyzer with the
/// repository's BannedSymbols.txt, wired up in Directory.Build.props). These tests run that analyzer, with that file, over
/// snippets through the compiler API, and check that the three projects (and only they) are wired to it.
/// </summary>
public sealed class ConsoleBanTests
{
    private static readonly string[] BannedProjects = ["CertLsp.Core", "CertLsp.Workflows", "CertLsp.LanguageServer"];

    [Theory]
    [InlineData("Console.WriteLine(\"hello\");")]
    [InlineData("Console.WriteLine();")]
    [InlineData("Console.Write(42);")]
    [InlineData("Console.Write(\"{0}\", 1);")]
    [InlineData("System.Console.Out.WriteLine(\"x\");")]
    [InlineData("Console.Error.Write(\"x\");")]
    [InlineData("var w = Console.Out; w.Flush();")]
    [InlineData("using var s = Console.OpenStandardOutput();")]
    [InlineData("using var s = Console.OpenStandardError();")]
    public void A_console_write_is_reported_as_RS0030(string statement)
    {
        var diagnostics = Analyze(statement);
        Assert.Contains(diagnostics, d => d.Id == "RS0030");
    }

    [Theory]
    [InlineData("var t = new StringWriter(); t.WriteLine(\"to a string\");")]
    [InlineData("System.Diagnostics.Debug.WriteLine(\"debugger only\");")]
    [InlineData("var redirected = Console.IsInputRedirected;")]
    public void Other_writers_are_not_reported(string statement)
    {
        Assert.DoesNotContain(Analyze(statement), d => d.Id == "RS0030");
    }

    [Fact]
    public void Every_overload_that_writes_is_banned()
    {
        // An entry names one overload (a documentation-comment id with its parameters): a new overload in a later .NET
        // would slip through, and a misspelt entry bans nothing without a word. Both fail here, with the ids to list.
        var console = Compilation("").GetTypeByMetadataName("System.Console")!;
        var writers = console.GetMembers()
            .Where(m => m.Name is "Write" or "WriteLine" or "Out" or "Error" or "OpenStandardOutput" or "OpenStandardError")
            .Select(m => m.GetDocumentationCommentId()!)
            .ToHashSet();
        var listed = BannedSymbolLines().Select(l => l.Split(';')[0]).ToHashSet();
        Assert.True(writers.IsSubsetOf(listed), "not in BannedSymbols.txt:\n" + string.Join("\n", writers.Except(listed).Order()));
        Assert.True(listed.IsSubsetOf(writers), "no such member:\n" + string.Join("\n", listed.Except(writers).Order()));
    }

    [Fact]
    public void The_libraries_and_only_they_use_the_banned_symbols()
    {
        var root = RepoPaths.Root;
        var props = File.ReadAllText(Path.Combine(root, "Directory.Build.props"));
        foreach (var project in BannedProjects)
        {
            Assert.Contains($"'$(MSBuildProjectName)' == '{project}'", props, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(root, "server", project, project + ".csproj")), project);
        }
        Assert.Contains("<PackageReference Include=\"Microsoft.CodeAnalysis.BannedApiAnalyzers\"", props, StringComparison.Ordinal);
        Assert.Contains("<AdditionalFiles Include=\"$(MSBuildThisFileDirectory)BannedSymbols.txt\"", props, StringComparison.Ordinal);
        // What the build saw: the analyzer is a compile-time reference of each library, so it is in its assets file.
        foreach (var project in BannedProjects)
        {
            var assets = Path.Combine(root, "server", project, "obj", "project.assets.json");
            Assert.Contains("Microsoft.CodeAnalysis.BannedApiAnalyzers/", File.ReadAllText(assets), StringComparison.Ordinal);
        }
        var cliAssets = Path.Combine(root, "server", "CertLsp.Cli", "obj", "project.assets.json");
        Assert.DoesNotContain("\"Microsoft.CodeAnalysis.BannedApiAnalyzers/", File.ReadAllText(cliAssets), StringComparison.Ordinal);
    }

    private static IEnumerable<string> BannedSymbolLines() =>
        File.ReadAllLines(Path.Combine(RepoPaths.Root, "BannedSymbols.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal));

    private static ImmutableArray<Diagnostic> Analyze(string statement)
    {
        var source = $$"""
            using System;
            using System.IO;
            namespace Probe;
            public static class P
            {
                public static void M()
                {
                    {{statement}}
                }
            }
            """;
        var compilation = Compilation(source);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var analyzers = new AnalyzerFileReference(AnalyzerPath(), new Loader())
            .GetAnalyzers(LanguageNames.CSharp);
        Assert.NotEmpty(analyzers);
        var options = new AnalyzerOptions([new FileText(Path.Combine(RepoPaths.Root, "BannedSymbols.txt"))]);
        var result = compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.DoesNotContain(result, d => d.Id == "AD0001"); // an analyzer that crashed proves nothing
        return result;
    }

    private static CSharpCompilation Compilation(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create(
            "Probe", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    }

    private static string AnalyzerPath()
    {
        var path = typeof(ConsoleBanTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BannedApiAnalyzer").Value!;
        Assert.True(File.Exists(path), path);
        return path;
    }

    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) =>
            SourceText.From(File.ReadAllText(Path));
    }

    private sealed class Loader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }
}
