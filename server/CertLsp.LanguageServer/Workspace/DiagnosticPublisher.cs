using System.Collections.Concurrent;
using CertLsp.Core.Checking;
using CertLsp.LanguageServer.Protocol;

namespace CertLsp.LanguageServer.Workspace;

/// <summary>
/// Publishes diagnostics for every open manifest, coalesced: a change made while a check runs is not checked on its
/// own; the next check takes the newest snapshot (plus an optional debounce delay), and each document's diagnostics
/// go out with the version they were computed for.
/// Workspace rules mean one edit can change another file's findings, so every open document is considered.
/// </summary>
public sealed class DiagnosticPublisher(Func<PublishDiagnosticsParams, Task> publish, Func<WorkspaceSnapshot> latest, Action<string> log,
    TimeSpan debounce,
    Action<string, string>? trace = null)
{
    /// <summary>At most this many diagnostics are published per document.</summary>
    public const int MaxPerDocument = 1000;

    private readonly ConcurrentDictionary<string, (int? Version, string Fingerprint)> published = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim running = new(1, 1);
    private readonly Lock gate = new();
    private bool pending; // a run is scheduled that has not yet taken its snapshot
    private int outstanding; // runs scheduled and not yet finished
    private TaskCompletionSource? settled; // completed when outstanding falls to zero
    private long sent;

    /// <summary>How many publishDiagnostics notifications have been sent: a client that has received as many has them all.</summary>
    public long Sent => Interlocked.Read(ref sent);

    /// <summary>Asks for a publication; returns at once.</summary>
    public void Schedule()
    {
        lock (gate)
        {
            if (pending) return;
            pending = true;
            outstanding++;
        }
        _ = Task.Run(RunAsync);
    }

    /// <summary>Completes when every scheduled publication has been sent (an awaited event, not a poll).</summary>
    public Task FlushAsync()
    {
        lock (gate)
        {
            if (outstanding == 0) return Task.CompletedTask;
            settled ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return settled.Task;
        }
    }

    /// <summary>A document closed: forget what was published for it and clear what the client shows (an empty list).</summary>
    public Task WithdrawAsync(string uri)
    {
        published.TryRemove(uri, out _);
        return SendAsync(new PublishDiagnosticsParams(uri, []));
    }

    private Task SendAsync(PublishDiagnosticsParams diagnostics)
    {
        Interlocked.Increment(ref sent);
        return publish(diagnostics);
    }

    /// <summary>Files beside open manifests with findings of their own (an untrusted ledger, a certlsp.json not valid): by URI, what was
    /// sent.</summary>
    private readonly ConcurrentDictionary<string, string> besideProblems = new(StringComparer.Ordinal);

    /// <summary>
    /// The findings in a file beside an open manifest (CL0405 on its ledger, CL0701 on certlsp.json) are published on that file, at
    /// their line, so the Problems panel shows them even when it is not open; they are withdrawn once the file reads again.
    /// </summary>
    private async Task PublishBesideAsync(WorkspaceSnapshot snapshot, CheckResult result)
    {
        var manifests = snapshot.Open.Values.Select(d => d.Uri).ToHashSet(StringComparer.Ordinal);
        var owners = snapshot.Open.Values.Select(d => d.Parsed).SelectMany(d =>
            new[] { d.LedgerFile?.Path, d.Settings.Path }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var now = new Dictionary<string, LspDiagnostic[]>(StringComparer.Ordinal);
        foreach (var file in result.Files.Where(f => owners.Contains(f.Path) && !manifests.Contains(f.Path)))
        {
            now[UriPaths.FromPath(file.Path)] = [.. result.ByPath[file.Path].Select(d => LspConvert.Diagnostic(d, snapshot, file.Lines))];
        }
        foreach (var (uri, diagnostics) in now)
        {
            string key = string.Join('\n', diagnostics.Select(d => $"{d.Code}|{d.Range}|{d.Severity}|{d.Message}"));
            if (besideProblems.TryGetValue(uri, out var last) && last == key) continue;
            besideProblems[uri] = key;
            await SendAsync(new PublishDiagnosticsParams(uri, diagnostics)).ConfigureAwait(false);
            foreach (var d in diagnostics) log($"{uri}:{d.Range.Start.Line + 1}: {d.Code}: {d.Message}");
        }
        foreach (var uri in besideProblems.Keys.Where(u => !now.ContainsKey(u)).ToList())
        {
            besideProblems.TryRemove(uri, out _);
            await SendAsync(new PublishDiagnosticsParams(uri, [])).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            if (debounce > TimeSpan.Zero) await Task.Delay(debounce).ConfigureAwait(false);
            await running.WaitAsync().ConfigureAwait(false);
            await PublishAsync().ConfigureAwait(false);
        }
        finally
        {
            TaskCompletionSource? done = null;
            lock (gate)
            {
                if (--outstanding == 0) (done, settled) = (settled, null);
            }
            done?.TrySetResult();
        }
    }

    /// <summary>One run, holding <see cref="running"/>: checks the newest snapshot and publishes what changed.</summary>
    private async Task PublishAsync()
    {
        try
        {
            lock (gate)
            {
                pending = false;
            }
            var snapshot = latest();
            if (snapshot.Open.IsEmpty) return; // nothing shown: no check needed until a document opens
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            foreach (var document in snapshot.Open.Values) _ = document.Parsed;
            var parsedAt = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var result = snapshot.Check;
            var checkedAt = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            int sent = 0;
            foreach (var document in snapshot.Open.Values)
            {
                var parsed = document.Parsed;
                var diagnostics = result.ByPath.TryGetValue(document.Uri, out var list) ? list : [];
                // Editors choke on hundreds of thousands of markers: publish the first ones, errors first.
                var shown = diagnostics.Length <= MaxPerDocument ? diagnostics
                    : [.. diagnostics.OrderBy(d => d.Severity).Take(MaxPerDocument).OrderBy(d => d.Span.Start)];
                if (shown.Length < diagnostics.Length) log(
                    $"{document.Uri}: {diagnostics.Length} diagnostics, publishing the first {MaxPerDocument}");
                var lsp = shown.Select(d => LspConvert.Diagnostic(d, snapshot, parsed.Lines)).ToArray();
                string fingerprint = string.Join('\n', lsp.Select(d =>
                    $"{d.Code}|{d.Range}|{d.Severity}|{d.Message}|{d.RelatedInformation?.Length}"));
                if (published.TryGetValue(document.Uri, out var last) && last.Version == document.Version
                    && last.Fingerprint == fingerprint) continue;
                published[document.Uri] = (document.Version, fingerprint);
                await SendAsync(new PublishDiagnosticsParams(document.Uri, lsp, document.Version)).ConfigureAwait(false);
                sent += lsp.Length;
            }
            await PublishBesideAsync(snapshot, result).ConfigureAwait(false);
            var total = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            trace?.Invoke(
                $"diagnostics: {snapshot.Open.Count} open document(s), {sent} diagnostic(s) sent in {total.TotalMilliseconds:F1} ms",
                $"(read and per-file rules {parsedAt.TotalMilliseconds:F1} ms, workspace rules " +
                    $"{(checkedAt - parsedAt).TotalMilliseconds:F1} ms, conversion and sending " +
                    $"{(total - checkedAt).TotalMilliseconds:F1} ms; garbage collections meanwhile: " +
                    $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} of generations 0/1/2)");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log($"publishing diagnostics failed: {ex}");
        }
        finally
        {
            running.Release();
        }
    }
}
