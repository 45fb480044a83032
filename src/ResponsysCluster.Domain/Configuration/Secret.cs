namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// A password, private key or passphrase. Its text never reaches a log, an error or a ToString:
/// records that hold one print <c>***</c> instead.
/// </summary>
public sealed class Secret
{
    private readonly string value;

    public Secret(string value) => this.value = value;

    /// <summary>The secret text, for the one place that hands it to the SFTP library.</summary>
    public string Reveal() => value;

    public override string ToString() => "***";
}
