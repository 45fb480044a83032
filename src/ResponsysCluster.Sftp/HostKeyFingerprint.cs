namespace ResponsysCluster.Sftp;

/// <summary>Server key fingerprints in the form <c>ssh-keygen -lf</c> prints: <c>SHA256:</c> + unpadded base64.</summary>
public static class HostKeyFingerprint
{
    /// <summary>From SSH.NET's <c>FingerPrintSHA256</c> (base64 without the prefix).</summary>
    public static string FromSha256Base64(string base64) => "SHA256:" + base64.TrimEnd('=');

    public static bool Matches(string expected, string actual) =>
        string.Equals(expected.Trim().TrimEnd('='), actual.TrimEnd('='), StringComparison.Ordinal);
}
