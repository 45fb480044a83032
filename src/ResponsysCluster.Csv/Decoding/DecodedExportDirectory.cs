using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Csv.Decoding;

/// <summary>
/// An export directory whose files open decoded: a compressed or encrypted export reads as the CSV it holds
/// (see <see cref="ExportFileDecoder"/>), a plain one as it is. A plain zip of several files lists as one file per
/// entry (<c>NAME.zip!entry</c>, see <see cref="ZipEntryName"/>), each read from its own bytes of the archive.
/// Everything else is the inner directory's.
/// </summary>
public sealed class DecodedExportDirectory(IExportDirectory inner, ExportFileDecoder decoder) : IExportDirectory
{
    // By version: a listing reads each zip's tail once, and the opens that follow on this connection reuse it.
    private readonly Dictionary<FileVersion, ZipCentralDirectory> centralDirectories = [];

    public async Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken)
    {
        var listed = new List<RemoteFile>();
        foreach (var file in await inner.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!IsPlainZip(file))
            {
                listed.Add(file);
                continue;
            }
            try
            {
                var files = (await CentralDirectoryOfAsync(file, cancellationToken).ConfigureAwait(false)).Files;
                if (files.Count > 1) listed.AddRange(files.Select(entry => ZipEntryName.EntryOf(file, entry.Name)));
                else listed.Add(file);
            }
            catch (ExportFileException)
            {
                // Listed whole: opening it fails with the same error, which then fails this file alone, by name.
                listed.Add(file);
            }
        }
        return listed;
    }

    public async Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        if (ZipEntryName.IsEntry(file)) return await OpenZipEntryAsync(file, cancellationToken).ConfigureAwait(false);
        // A zip is read front to back, which never reaches its central directory: a damaged one fails here instead.
        if (IsPlainZip(file)) await CentralDirectoryOfAsync(file, cancellationToken).ConfigureAwait(false);
        var raw = await inner.OpenReadAsync(file, cancellationToken).ConfigureAwait(false);
        var layers = ExportFileName.TryParse(file.Name)?.Layers ?? ExportFileLayers.Plain;
        return decoder.Decode(raw, file.Path, layers);
    }

    /// <summary>The stored bytes, not decoded.</summary>
    public Task<Stream> OpenRangeAsync(RemoteFile file, long offset, long length, CancellationToken cancellationToken) =>
        inner.OpenRangeAsync(file, offset, length, cancellationToken);

    public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) =>
        inner.ReadSmallTextAsync(file, maxBytes, cancellationToken);

    public async Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        if (!ZipEntryName.IsEntry(file)) return await inner.StatAsync(file, cancellationToken).ConfigureAwait(false);
        var archive = ZipEntryName.ArchiveOf(file, out var entry);
        return await inner.StatAsync(archive, cancellationToken).ConfigureAwait(false) is { } current ? ZipEntryName.EntryOf(current, entry) : null;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<Stream> OpenZipEntryAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        var archive = ZipEntryName.ArchiveOf(file, out var name);
        var entry = (await CentralDirectoryOfAsync(archive, cancellationToken).ConfigureAwait(false)).Files.FirstOrDefault(e => e.Name == name)
            ?? throw new ExportFileException(file.Path, $"the zip archive {archive.Name} holds no file {name}");
        var bytes = await inner.OpenRangeAsync(archive, entry.Offset, entry.Length, cancellationToken).ConfigureAwait(false);
        return ExportFileDecoder.DecodeZipEntry(bytes, file.Path, entry);
    }

    /// <summary>
    /// A zip that is not encrypted and not empty: its central directory can be read without reading the rest.
    /// An encrypted one cannot (the directory is inside the encryption): it is read front to back, one file only.
    /// </summary>
    private static bool IsPlainZip(RemoteFile file) =>
        file.Size > 0 && ExportFileName.TryParse(file.Name) is { ZipEntry: null, Layers: { Compression: ExportCompression.Zip, Encrypted: false } };

    private async Task<ZipCentralDirectory> CentralDirectoryOfAsync(RemoteFile zip, CancellationToken cancellationToken)
    {
        lock (centralDirectories)
        {
            if (centralDirectories.TryGetValue(zip.Version, out var known)) return known;
        }
        var read = await ZipCentralDirectory.ReadAsync(inner, zip, cancellationToken).ConfigureAwait(false);
        lock (centralDirectories) centralDirectories[zip.Version] = read;
        return read;
    }
}

/// <summary>Connects the inner connector's directories, decoded by <paramref name="decoder"/>.</summary>
public sealed class DecodedExportDirectoryConnector(IExportDirectoryConnector inner, ExportFileDecoder decoder) : IExportDirectoryConnector
{
    public async Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken) =>
        new DecodedExportDirectory(await inner.ConnectAsync(cancellationToken).ConfigureAwait(false), decoder);
}
