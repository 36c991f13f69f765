using System.Collections.Concurrent;
using CertLsp.LanguageServer.Protocol;
using CertLsp.LanguageServer.Workspace;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The publisher's flush is an awaited event: it completes exactly when every publication scheduled before it has been sent, and
/// <see cref="DiagnosticPublisher.Sent"/> counts every notification, the empty list of a closed document included.
/// </summary>
public sealed class DiagnosticPublisherTests
{
    private const string Uri = "file:///a.site.yaml";

    private readonly ServerWorkspace workspace = new();
    private readonly ConcurrentQueue<PublishDiagnosticsParams> sent = new();
    private TaskCompletionSource gate = Open();
    private readonly TaskCompletionSource entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource Open()
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        opened.SetResult();
        return opened;
    }

    private DiagnosticPublisher Publisher() => new(async p =>
    {
        entered.TrySetResult();
        await Volatile.Read(ref gate).Task;
        sent.Enqueue(p);
    }, () => workspace.Snapshot, _ => { }, TimeSpan.Zero);

    [Fact]
    public async Task A_flush_with_nothing_scheduled_completes_at_once()
    {
        var publisher = Publisher();
        Assert.True(publisher.FlushAsync().IsCompletedSuccessfully);
        Assert.Equal(0, publisher.Sent);
        await publisher.FlushAsync();
    }

    [Fact]
    public async Task A_flush_completes_only_once_the_publication_it_waits_for_has_been_sent()
    {
        var publisher = Publisher();
        workspace.Open(Uri, 1, "site: A\n");
        gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // the client is slow to take it
        publisher.Schedule();
        var flushed = publisher.FlushAsync();
        var more = publisher.FlushAsync();
        await entered.Task.WaitAsync(Waits.HangGuard); // the run is sending, and the send cannot finish yet
        Assert.False(flushed.IsCompleted);
        Assert.False(more.IsCompleted);
        Assert.Empty(sent);

        gate.SetResult();
        await flushed.WaitAsync(Waits.HangGuard);
        await more.WaitAsync(Waits.HangGuard);
        var published = Assert.Single(sent);
        Assert.Equal(Uri, published.Uri);
        Assert.Equal(1, published.Version);
        Assert.Equal(1, publisher.Sent);
    }

    [Fact]
    public async Task Changes_made_while_a_run_is_under_way_are_published_before_the_flush_completes()
    {
        var publisher = Publisher();
        workspace.Open(Uri, 1, "site: A\n");
        gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.Schedule();
        await entered.Task.WaitAsync(Waits.HangGuard); // the first run is under way
        for (int version = 2; version <= 20; version++)
        {
            workspace.Change(Uri, version, [new TextDocumentContentChangeEvent($"site: V{version}\n")]);
            publisher.Schedule();
        }
        var flushed = publisher.FlushAsync();
        gate.SetResult();
        await flushed.WaitAsync(Waits.HangGuard);
        Assert.Equal(20, sent.Last().Version); // the newest snapshot, whatever was coalesced on the way
        Assert.True(sent.Count <= 3, $"{sent.Count} publications: changes during a run are coalesced");
        Assert.Equal(sent.Count, publisher.Sent);
    }

    [Fact]
    public async Task Withdrawing_a_closed_document_sends_an_empty_list_and_counts_it()
    {
        var publisher = Publisher();
        workspace.Open(Uri, 1, "site: A\n");
        publisher.Schedule();
        await publisher.FlushAsync().WaitAsync(Waits.HangGuard);
        workspace.Close(Uri);
        await publisher.WithdrawAsync(Uri).WaitAsync(Waits.HangGuard);
        Assert.Equal(2, publisher.Sent);
        var last = sent.Last();
        Assert.Equal(Uri, last.Uri);
        Assert.Empty(last.Diagnostics);
        Assert.Null(last.Version);
    }
}
