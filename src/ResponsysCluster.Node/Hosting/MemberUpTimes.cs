using System.Collections.Concurrent;
using Akka.Actor;

namespace ResponsysCluster.Node.Hosting;

/// <summary>When this node saw each member come up (at its own join for those up before it): Akka keeps no time.</summary>
public sealed class MemberUpTimes
{
    private readonly ConcurrentDictionary<Address, DateTimeOffset> upSince = new();

    public void Up(Address member, DateTimeOffset at) => upSince.TryAdd(member, at);

    public void Removed(Address member) => upSince.TryRemove(member, out _);

    public DateTimeOffset? Of(Address member) => upSince.TryGetValue(member, out var at) ? at : null;
}
