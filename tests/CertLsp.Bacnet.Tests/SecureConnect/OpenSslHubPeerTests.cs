using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertLsp.Bacnet.SecureConnect;
using Xunit;

namespace CertLsp.Bacnet.Tests.SecureConnect;

/// <summary>
/// The connector's TLS against an independent strict peer: <c>openssl s_server -Verify 2 -verify_return_error -tls1_3</c> as the
/// hub side, with the site's CA as the only issuer it trusts. A node certificate from the site's CA completes the handshake (the
/// WebSocket upgrade then gets no answer: s_server is no hub, and the connector reports it failed to connect); one from another
/// CA is refused by s_server.
/// </summary>
public sealed class OpenSslHubPeerTests
{
    [NeedsFact(Needs.Namespace, Needs.OpenSsl)]
    public async Task AGoodNodeCertificateCompletesTheHandshakeWithAStrictPeer()
    {
        var (output, status) = await HandshakeAsync("127.0.0.40", TestPki.CreateLeaf(TestPki.SiteCa, "good-node"));
        Assert.Contains("verify return:1", output);
        Assert.DoesNotContain("verify error", output);
        Assert.Contains("CN = good-node", output);
        Assert.Contains("Sec-WebSocket-Protocol: hub.bsc.bacnet.org", output);  // TLS done: s_server printed the upgrade request
        Assert.Equal(ScConnectionState.FailedToConnect, status.State);
    }

    [NeedsFact(Needs.Namespace, Needs.OpenSsl)]
    public async Task ANodeCertificateFromAnotherCaIsRefusedByAStrictPeer()
    {
        var (output, status) = await HandshakeAsync("127.0.0.41", TestPki.CreateLeaf(TestPki.OtherCa, "stranger"));
        Assert.Contains("verify error", output);
        Assert.DoesNotContain("GET /", output);
        Assert.Equal(ScConnectionState.FailedToConnect, status.State);
    }

    /// <summary>Runs s_server for one connection, connects once with <paramref name="node"/>; s_server's output and the primary
    /// hub's status.</summary>
    private static async Task<(string Output, ScHubConnectionReport Status)> HandshakeAsync(string address, X509Certificate2 node)
    {
        LoopbackNamespace.Require();
        var ip = IPAddress.Parse(address);
        var folder = Directory.CreateTempSubdirectory("certlsp-sc-openssl-");
        try
        {
            var hub = TestPki.CreateLeaf(TestPki.SiteCa, "hub", ip);
            string Write(string name, string pem, bool secret = false)
            {
                var path = Path.Combine(folder.FullName, name);
                File.WriteAllText(path, "");
                if (secret && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.WriteAllText(path, pem);
                return path;
            }
            var listener = new System.Net.Sockets.TcpListener(ip, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var start = new ProcessStartInfo("openssl",
            [
                "s_server", "-Verify", "2", "-verify_return_error", "-tls1_3", "-naccept", "1",
                "-cert", Write("hub.pem", hub.ExportCertificatePem()),
                "-key", Write("hub.key", hub.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), secret: true),
                "-CAfile", Write("ca.pem", TestPki.SiteCa.ExportCertificatePem()), "-accept", $"{address}:{port}",
            ])
            { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            using var server = Process.Start(start)!;
            var output = new System.Text.StringBuilder();
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            void Collect(object _, DataReceivedEventArgs e)
            {
                if (e.Data is null) return;
                lock (output) output.AppendLine(e.Data);
                if (e.Data.Contains("ACCEPT", StringComparison.Ordinal)) listening.TrySetResult();
            }
            server.OutputDataReceived += Collect;
            server.ErrorDataReceived += Collect;
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            try
            {
                await listening.Task.WaitAsync(Waits.HangGuard);
                await using var connector = new ScHubConnector(new ScConnectorOptions
                {
                    PrimaryHub = new Uri($"wss://{address}:{port}/"),
                    Certificate = node,
                    VerifyHub = TestPki.VerifierFor(TestPki.SiteCa),
                    ConnectWaitTimeout = TimeSpan.FromSeconds(3),
                    MinimumReconnectTime = TimeSpan.FromMinutes(5),
                });
                Assert.True(await connector.WaitUntilAsync(c => c.PrimaryStatus.State == ScConnectionState.FailedToConnect,
                    Waits.HangGuard), $"{connector.PrimaryStatus}");
                var status = connector.PrimaryStatus;
                await connector.DisposeAsync();
                await server.WaitForExitAsync().WaitAsync(Waits.HangGuard);
                server.WaitForExit();  // the output is complete
                lock (output) return (output.ToString(), status);
            }
            finally
            {
                if (!server.HasExited) server.Kill();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
