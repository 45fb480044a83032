using Microsoft.Extensions.Logging;
using Renci.SshNet;

namespace ResponsysCluster.Sftp;

/// <summary>
/// Checks the host key one hop presents against its pinned fingerprint (none pinned: the key is only logged), and
/// keeps what it saw for the error that follows a refusal.
/// </summary>
internal sealed class HostKeyPin
{
    private HostKeyPin()
    {
    }

    /// <summary>The fingerprint presented, known even when the login then failed.</summary>
    public string? Presented { get; private set; }

    /// <summary>The presented fingerprint when it was not the pinned one, and the connection was refused for it.</summary>
    public string? Mismatch { get; private set; }

    public static HostKeyPin Attach(BaseClient client, SshLogin login, ILogger logger, bool jumpHost)
    {
        var pin = new HostKeyPin();
        client.HostKeyReceived += (_, e) =>
        {
            var fingerprint = HostKeyFingerprint.FromSha256Base64(e.FingerPrintSHA256);
            pin.Presented = fingerprint;
            if (jumpHost) LogMessages.JumpHostKeySeen(logger, login.Host, login.Port, e.HostKeyName, fingerprint);
            else LogMessages.HostKeySeen(logger, login.Host, login.Port, e.HostKeyName, fingerprint);
            if (login.HostKeyFingerprint is { } expected && !HostKeyFingerprint.Matches(expected, fingerprint))
            {
                pin.Mismatch = fingerprint;
                e.CanTrust = false;
            }
        };
        return pin;
    }
}
