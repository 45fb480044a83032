using ResponsysCluster.Domain.Schema;

namespace ResponsysCluster.Domain.Tests;

public sealed class RowBudgetTests
{
    [Theory]
    [InlineData(ColumnType.Integer, 462)]   // 7,400 / 16
    [InlineData(ColumnType.DateTime, 462)]
    [InlineData(ColumnType.String, 308)]    // 7,400 / 24
    [InlineData(ColumnType.Number, 308)]
    public void Should_take_columns_until_their_worst_case_bytes_fill_the_row(ColumnType type, int fits)
    {
        var budget = new RowBudget([]);

        var taken = Enumerable.Range(0, 2000).TakeWhile(_ => budget.TryTake(type)).Count();

        Assert.Equal(fits, taken);
    }

    [Fact]
    public void Should_count_the_columns_a_table_already_has()
    {
        var budget = new RowBudget(Enumerable.Repeat(ColumnType.String, 300));   // 7,200 bytes

        Assert.True(budget.TryTake(ColumnType.Integer));                          // 7,216
        Assert.Equal(7, Enumerable.Range(0, 100).TakeWhile(_ => budget.TryTake(ColumnType.String)).Count());  // up to 7,384
        Assert.True(budget.TryTake(ColumnType.Integer));                          // 7,400: exactly full
        Assert.False(budget.TryTake(ColumnType.Integer));
    }
}
