namespace ResponsysCluster.Domain.Configuration;

/// <summary>A connection configuration key is missing or holds a value that cannot be used.</summary>
public sealed class ConfigException(string key, string reason)
    : Exception($"Config key '{key}': {reason}")
{
    /// <summary>The configuration key at fault.</summary>
    public string Key { get; } = key;

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; } = reason;
}
