using System.Text.Json;
using CertLsp.Core.Review;
using CertLsp.LanguageServer.Protocol;
using CertLsp.Workflows.Files;
using CertLsp.Workflows.Ledger;
using CertLsp.Workflows.Review;

namespace CertLsp.LanguageServer.Commands;

/// <summary>
/// certlsp.reviewChanges: the markdown review (as <c>certlsp review --format markdown</c>) of the manifest's open text, not the file on
/// disk, with the ledger beside it, against the manifest and ledger at a git revision (default HEAD). Refused in an untrusted
/// workspace (no git runs there); a folder outside git or a revision not in the clone is a refusal that says so, never a crash.
/// </summary>
public sealed class ReviewChangesCommand : ServerCommand<ReviewChangesArguments, ReviewChangesResult>
{
    public override string Name => CertLspCommands.ReviewChanges;

    public override async Task<ReviewChangesResult> ExecuteAsync(ServerContext context, ReviewChangesArguments arguments,
        JsonElement? workDoneToken, CancellationToken cancellationToken)
    {
        string baseRev = string.IsNullOrWhiteSpace(arguments.Base) ? "HEAD" : arguments.Base.Trim();
        var (path, text) = context.Manifest(arguments.Uri);
        ReviewChangesResult Refused(string why) => new(baseRev, "", "", 0, false, why);
        if (!context.WorkspaceTrusted) return Refused(ServerContext.UntrustedRefusal);
        List<ReviewFile> before;
        string root;
        try
        {
            root = await context.Git.RootAsync(Path.GetDirectoryName(path)!, cancellationToken).ConfigureAwait(false);
            before = await context.Git.FilesAsync(root, baseRev, [path], Display, cancellationToken).ConfigureAwait(false);
        }
        catch (GitRevisionException ex)
        {
            context.Log($"review {arguments.Uri} against {baseRev}: {ex.Message}", MessageType.Warning);
            return Refused(ex.Message);
        }
        string Display(string full) => Path.GetRelativePath(root, full).Replace('\\', '/');
        string ledger = LedgerFile.PathFor(path);
        var after = new ReviewFile(Display(path), text, LedgerFile.Input(ledger, Display(ledger)), new ConfigFiles(Display).For(path));
        var review = SiteReviewer.Review(before, [after], DateTimeOffset.UtcNow);
        using var markdown = new StringWriter { NewLine = "\n" };
        ReviewText.WriteMarkdown(review, $"{baseRev} → working tree", markdown);
        return new ReviewChangesResult(baseRev, markdown.ToString(), ReviewText.Headline(review), review.NewRequests,
            review.HasCertificateImpact);
    }
}
