using ResponsysCluster.Domain.Configuration;

namespace ResponsysCluster.Domain.Tests;

public sealed class ConnectionIdsTests
{
    [Theory]
    [InlineData("acme_scp", "files.responsys.net", 22, "/home/cli/acme_scp/download", "acme_scp_files_responsys_net_22_home_cli_acme_scp_download")]
    [InlineData("ACME", "Files.Responsys.NET", 2222, "/", "acme_files_responsys_net_2222_")]
    [InlineData("a-b", "h", 22, "relative/dir", "a-b_h_22_relative_dir")]
    [InlineData("josé", "h", 22, "/p", "jos__h_22_p")]
    [InlineData("az09_-", "h", 22, "/p", "az09_-_h_22_p")]
    [InlineData("a{`/:@", "h", 22, "/p", "a______h_22_p")]
    public void Should_derive_the_id_from_login_and_path(string username, string host, int port, string path, string expected)
    {
        Assert.Equal(expected, ConnectionIds.Derive(username, host, port, path));
    }

    [Fact]
    public void Should_cut_long_ids_and_keep_them_apart_with_a_hash()
    {
        var path = "/home/cli/" + new string('x', 80);
        var first = ConnectionIds.Derive("acme", "files.responsys.net", 22, path + "/first");
        var second = ConnectionIds.Derive("acme", "files.responsys.net", 22, path + "/second");

        Assert.Equal(ConnectionIds.MaxLength, first.Length);
        Assert.Matches("^acme_files_responsys_net_22_home_cli_x+_[0-9a-f]{8}$", first);
        Assert.NotEqual(first, second);
        Assert.Equal(first, ConnectionIds.Derive("acme", "files.responsys.net", 22, path + "/first"));
    }

    [Theory]
    [InlineData("acme", true)]
    [InlineData("Acme-EU_2", true)]
    [InlineData("", false)]
    [InlineData("acme eu", false)]
    [InlineData("acme.eu", false)]
    [InlineData("accentué", false)]
    public void Should_accept_letters_digits_underscore_and_dash_only(string text, bool valid)
    {
        Assert.Equal(valid, ConnectionIds.IsValid(text));
    }

    [Fact]
    public void Should_refuse_64_characters_plus_one()
    {
        Assert.True(ConnectionIds.IsValid(new string('a', 64)));
        Assert.False(ConnectionIds.IsValid(new string('a', 65)));
    }

    [Theory]
    [InlineData("u", "h", 22, "/p")]
    [InlineData("ÄÖÜ user", "host.example", 65535, "/a very/long path/" + "with many segments/and more/and more/and more/and more")]
    public void Should_derive_ids_that_are_valid(string username, string host, int port, string path)
    {
        Assert.True(ConnectionIds.IsValid(ConnectionIds.Derive(username, host, port, path)));
    }

    [Fact]
    public void Should_keep_an_id_of_exactly_64_characters_whole()
    {
        // "u@h:22/" folds to 7 characters; a path of 57 more makes 64.
        var path = "/" + new string('p', 57);
        var id = ConnectionIds.Derive("u", "h", 22, path);
        Assert.Equal("u_h_22_" + new string('p', 57), id);
        Assert.Equal(64, id.Length);
    }
}
