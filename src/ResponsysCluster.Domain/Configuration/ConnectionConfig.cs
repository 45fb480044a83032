using ResponsysCluster.Domain.Naming;
using ResponsysCluster.Domain.Scheduling;

namespace ResponsysCluster.Domain.Configuration;

/// <summary>
/// One Responsys Connect SFTP connection: where the exports are, how to log in and how to read them.
/// Accepts tap-responsys's config keys as they are; see <see cref="ConnectionConfigParser"/>.
/// </summary>
public sealed record ConnectionConfig
{
    public required string Host { get; init; }
    public int Port { get; init; } = 22;
    public required string Username { get; init; }
    /// <summary>The remote directory, without a trailing slash (except for the root).</summary>
    public required string Path { get; init; }
    public Secret? Password { get; init; }
    /// <summary>Path of a private key file, <c>~</c> already expanded.</summary>
    public string? PrivateKeyFile { get; init; }
    /// <summary>Private key text given inline.</summary>
    public Secret? PrivateKey { get; init; }
    public Secret? PrivateKeyPassphrase { get; init; }
    /// <summary>Expected server key fingerprint, <c>SHA256:…</c> as <c>ssh-keygen -lf</c> prints it.</summary>
    public string? HostKeyFingerprint { get; init; }
    /// <summary>The bastion the SFTP session goes through (the <c>jump_host</c> key); null: a direct connection.</summary>
    public JumpHostConfig? JumpHost { get; init; }
    /// <summary>Lower bound (inclusive) on file modification times for the first sync; null loads everything.</summary>
    public DateTimeOffset? StartDate { get; init; }
    public char Delimiter { get; init; } = ',';
    public ExportEncoding Encoding { get; init; } = ExportEncoding.Utf8;
    public int SampleRows { get; init; } = 1000;
    public int SampleFiles { get; init; } = 5;
    /// <summary>How long after its mtime a data file may wait for its ready file before it is abandoned.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromHours(24);

    // Null until given, so that the defaults follow the login and the id they derive from.
    private readonly string? connectionId;
    private readonly string? targetSchema;

    /// <summary>
    /// Names the connection in the ledger, the journal and the cluster (see <see cref="ConnectionIds"/>);
    /// derived from login and path unless given.
    /// </summary>
    public string ConnectionId
    {
        get => connectionId ?? ConnectionIds.Derive(Username, Host, Port, Path);
        init => connectionId = value;
    }

    /// <summary>The PostgreSQL schema the tables load into; <see cref="DefaultTargetSchema"/> unless given.</summary>
    public string TargetSchema
    {
        get => targetSchema ?? DefaultTargetSchema(ConnectionId);
        init => targetSchema = value;
    }

    /// <summary>The zone in which the exports' date-times without an offset are read; UTC unless given.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>How many of this connection's files may be downloading at once from its SFTP host.</summary>
    public int MaxConcurrentDownloads { get; init; } = 2;

    /// <summary>When the connection replicates on its own; null: only on demand.</summary>
    public ReplicationSchedule? Schedule { get; init; }

    /// <summary>
    /// The tables replicated (the <c>tables</c> key), by their Responsys names; null: every table found. A selected
    /// table that has no file yet is simply not there, not an error.
    /// </summary>
    public IReadOnlyList<string>? Tables { get; init; }

    /// <summary>
    /// The columns loaded of each table the <c>columns</c> key names (the others are not read into the table, and
    /// are not extra fields either); a table it does not name loads all its columns.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Columns { get; init; }

    /// <summary>The columns of <paramref name="table"/> to load; null: all.</summary>
    public IReadOnlyList<string>? ColumnsOf(string table) => Columns?.GetValueOrDefault(table);

    /// <summary>Whether <paramref name="table"/> is among the tables this connection replicates.</summary>
    public bool Selects(string table) => Tables is null || Tables.Contains(table, StringComparer.Ordinal);

    /// <summary>The OpenPGP secret key file that decrypts <c>.gpg</c>/<c>.pgp</c>/<c>.asc</c> exports, <c>~</c> expanded; null: none.</summary>
    public string? PgpPrivateKeyFile { get; init; }

    /// <summary>The passphrase of <see cref="PgpPrivateKeyFile"/>, read from the variable <c>pgp_passphrase_env</c> names.</summary>
    public Secret? PgpPassphrase { get; init; }

    /// <summary>The OpenPGP public key whose signature every encrypted export must carry; null: signatures are not required.</summary>
    public string? PgpSignerPublicKeyFile { get; init; }

    /// <summary><c>responsys_</c> and the connection id, folded to a PostgreSQL identifier.</summary>
    public static string DefaultTargetSchema(string connectionId) => PostgresIdentifier.From("responsys_" + connectionId);
}
