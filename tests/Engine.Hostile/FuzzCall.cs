namespace Engine.Hostile;

/// <summary>One call: its text, the call itself, and a check of what it returned (null when right, else what is wrong).</summary>
public sealed record FuzzCall(string Text, Func<object?> Run, Func<object?, string?> Check);
