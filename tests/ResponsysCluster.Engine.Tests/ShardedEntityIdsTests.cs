using ResponsysCluster.Engine.Cluster;
using static ResponsysCluster.Engine.Bookmarks.TableBookmarkProtocol;

namespace ResponsysCluster.Engine.Tests;

public sealed class ShardedEntityIdsTests
{
    [Theory]
    [InlineData("c1", "CONTACT_LIST")]
    [InlineData("acme-prod_2", "74310_CLICKED")]
    [InlineData("c1", "ODD|NAME")]
    public void Should_find_the_connection_and_table_again_in_a_bookmark_s_entity_id(string connection, string table)
    {
        Assert.Equal((connection, table), ShardedEntityIds.BookmarkOf(ShardedEntityIds.OfBookmark(connection, table)));
    }

    [Theory]
    [InlineData("no-bar")]
    [InlineData("|TABLE")]
    public void Should_refuse_an_entity_id_that_names_no_connection(string entityId)
    {
        Assert.Throws<ArgumentException>(() => ShardedEntityIds.BookmarkOf(entityId));
    }

    [Fact]
    public void Should_route_every_command_of_one_table_to_one_entity_and_shard()
    {
        var extractor = ShardedEntityIds.Bookmarks;
        var get = new GetBookmark("c1", "LIST");
        var reset = new ResetTable("c1", "LIST", null);

        Assert.Equal("c1|LIST", extractor.EntityId(get));
        Assert.Equal(extractor.EntityId(get), extractor.EntityId(reset));
        Assert.Equal(extractor.ShardId(extractor.EntityId(get)!, get), extractor.ShardId(extractor.EntityId(reset)!, reset));
        Assert.NotEqual(extractor.EntityId(get), extractor.EntityId(new GetBookmark("c2", "LIST")));
        Assert.InRange(int.Parse(extractor.ShardId("c1|LIST", get)), 0, ShardedEntityIds.Shards - 1);
    }

    [Fact]
    public void Should_route_no_bare_scheduler_message_and_no_foreign_message_to_a_bookmark()
    {
        // Scheduler messages travel in a ShardingEnvelope naming the connection, which the shard region unwraps
        // itself before the extractor is asked; a message sent bare reaches no entity.
        Assert.Null(ShardedEntityIds.Schedulers.EntityId(new Runs.ConnectionSchedulerProtocol.RunNow(null)));
        Assert.Null(ShardedEntityIds.Bookmarks.EntityId(new Runs.ConnectionSchedulerProtocol.RunNow(null)));
    }
}
