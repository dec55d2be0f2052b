namespace Engine.Tests.Reliability;

/// <summary>
/// One file reader under test: a name, its file format (readers of one format accept each other's files), where its file sits inside a data folder, a valid file's bytes,
/// and how to read it (data folder, file path). <see cref="Strict"/> readers check the exact file size,
/// so every truncation must be refused (a CSV cut inside its last number still parses).
/// </summary>
public sealed record FileReader(string Name, string Format, string RelativePath, Func<byte[]> Valid, Action<string, string> Read, bool Strict);
