using ResponsysCluster.Domain.Files;
using ResponsysCluster.Domain.Ports;

namespace ResponsysCluster.Csv.Decoding;

/// <summary>
/// An export directory whose files open decoded: a compressed or encrypted export reads as the CSV it holds
/// (see <see cref="ExportFileDecoder"/>), a plain one as it is. Everything else is the inner directory's.
/// </summary>
public sealed class DecodedExportDirectory(IExportDirectory inner, ExportFileDecoder decoder) : IExportDirectory
{
    public Task<IReadOnlyList<RemoteFile>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async Task<Stream> OpenReadAsync(RemoteFile file, CancellationToken cancellationToken)
    {
        var raw = await inner.OpenReadAsync(file, cancellationToken).ConfigureAwait(false);
        var layers = ExportFileName.TryParse(file.Name)?.Layers ?? ExportFileLayers.Plain;
        return decoder.Decode(raw, file.Path, layers);
    }

    public Task<string> ReadSmallTextAsync(RemoteFile file, int maxBytes, CancellationToken cancellationToken) =>
        inner.ReadSmallTextAsync(file, maxBytes, cancellationToken);

    public Task<RemoteFile?> StatAsync(RemoteFile file, CancellationToken cancellationToken) => inner.StatAsync(file, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>Connects the inner connector's directories, decoded by <paramref name="decoder"/>.</summary>
public sealed class DecodedExportDirectoryConnector(IExportDirectoryConnector inner, ExportFileDecoder decoder) : IExportDirectoryConnector
{
    public async Task<IExportDirectory> ConnectAsync(CancellationToken cancellationToken) =>
        new DecodedExportDirectory(await inner.ConnectAsync(cancellationToken).ConfigureAwait(false), decoder);
}
