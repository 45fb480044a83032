using System.Text;
using ResponsysCluster.Domain.Naming;

namespace ResponsysCluster.Domain.Tests;

public sealed class PostgresIdentifierTests
{
    [Theory]
    [InlineData("CONTACT_LIST", "contact_list")]
    [InlineData("EMAIL_ADDRESS_", "email_address_")]
    [InlineData("1234_CLICK", "_1234_click")]
    [InlineData("First Name", "first_name")]
    [InlineData("Prénom-Nom", "pr_nom_nom")]
    [InlineData("a\"b;drop table x", "a_b_drop_table_x")]
    [InlineData("", "_")]
    [InlineData("zone_9", "zone_9")]
    [InlineData("a{b`c/d:e", "a_b_c_d_e")]
    public void Should_fold_names_into_safe_identifiers(string name, string expected)
    {
        Assert.Equal(expected, PostgresIdentifier.From(name));
    }

    [Fact]
    public void Should_cut_long_names_to_63_bytes_with_a_hash_that_keeps_them_apart()
    {
        var a = PostgresIdentifier.From(new string('A', 80) + "_ONE");
        var b = PostgresIdentifier.From(new string('A', 80) + "_TWO");
        Assert.Equal(63, Encoding.UTF8.GetByteCount(a));
        Assert.NotEqual(a, b);
        Assert.Equal(a, PostgresIdentifier.From(new string('A', 80) + "_ONE"));
    }

    [Fact]
    public void Should_resolve_collisions()
    {
        Assert.Equal(["email", "email_2", "email_3", "other"],
            PostgresIdentifier.Unique(["EMAIL", "Email", "email", "OTHER"]));
        Assert.Equal(["_sdc_extra_2"], PostgresIdentifier.Unique(["_SDC_EXTRA"], ["_sdc_extra"]));
        var longNames = PostgresIdentifier.Unique([new string('x', 70), new string('x', 70)]);
        Assert.NotEqual(longNames[0], longNames[1]);
        Assert.All(longNames, n => Assert.True(n.Length <= 63));
    }

    [Fact]
    public void Should_quote_identifiers()
    {
        Assert.Equal("\"a\"\"b\"", PostgresIdentifier.Quote("a\"b"));
    }

    [Fact]
    public void Should_keep_a_name_of_exactly_63_bytes_whole()
    {
        var name = new string('a', 63);
        Assert.Equal(name, PostgresIdentifier.From(name));
        Assert.Equal(63, PostgresIdentifier.From(name + "a").Length);
        Assert.NotEqual(name, PostgresIdentifier.From(name + "a"));
    }

    [Fact]
    public void Should_number_a_collision_without_cutting_when_it_fits_in_63_bytes()
    {
        var name = new string('a', 61);
        Assert.Equal([name, name + "_2"], PostgresIdentifier.Unique([name, name]));
        var longer = new string('b', 62);
        Assert.Equal([longer, new string('b', 61) + "_2"], PostgresIdentifier.Unique([longer, longer]));
    }
}
