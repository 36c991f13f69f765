using CertLsp.Core.Tests.Certificates;
using CertLsp.Reliability.Tests.Support;
using CertLsp.Workflows.Ledger;

namespace CertLsp.Reliability.Tests;

/// <summary>One writer per ledger: while a run holds the lock, csr and import refuse and write nothing; a crashed holder frees
/// it.</summary>
[Collection(nameof(ChildProcesses))]
public sealed class RunLockTests
{
    [Fact]
    public async Task Csr_and_import_refuse_while_another_run_holds_the_ledger()
    {
        using var site = await Sites.SignedAsync(3);
        string signed = Sites.SignedZip(site);
        string ledger = File.ReadAllText(site.LedgerPath);
        using (var held = RunLock.TryTake(site.LedgerPath))
        {
            Assert.NotNull(held);
            Assert.Null(RunLock.TryTake(site.LedgerPath));
            foreach (var args in new[] { ["csr", site.ManifestPath, "--overwrite-pending"], new[] { "import", site.ManifestPath, signed } })
            {
                var (exit, stdout, stderr) = CliProcess.Run(args);
                Assert.Equal(2, exit);
                Assert.Contains("another certlsp run is working on this manifest", stdout + stderr);
                Assert.Equal(ledger, File.ReadAllText(site.LedgerPath));
            }
        }
        var (done, output, errors) = CliProcess.Run("import", site.ManifestPath, signed);
        Assert.True(done == 0, output + errors);
        SiteConsistency.Assert(site);
    }
}
