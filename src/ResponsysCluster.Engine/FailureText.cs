namespace ResponsysCluster.Engine;

/// <summary>The message of a failed task's exception, as the adapter that threw it worded it.</summary>
internal static class FailureText
{
    /// <summary>
    /// A task's failure may arrive wrapped in an <see cref="AggregateException"/>; the exception inside carries the
    /// message meant for users (its own inner exception is the driver's detail, not what to show).
    /// </summary>
    public static string Of(Exception ex) => (ex is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : ex).Message;
}
