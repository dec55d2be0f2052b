namespace Chapters;

/// <summary>One row of the final table: what the book printed, what the engine printed, pass/fail (or skipped).</summary>
public sealed record Check(string What, string Book, string Engine, bool Pass, bool Skipped = false);
