namespace Chapters;

/// <summary>Every exercise in this assembly, found by reflection, in book order.</summary>
public static class ExerciseCatalog
{
    /// <summary>All exercises sorted by section number.</summary>
    public static IReadOnlyList<Exercise> All { get; } = typeof(Exercise).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Exercise)) && !t.IsAbstract)
        .Select(t => (Exercise)Activator.CreateInstance(t)!)
        .OrderBy(e => SortKey(e.Id), StringComparer.Ordinal)
        .ToList();

    /// <summary>The exercise with this id, or a clear error listing the known ids.</summary>
    public static Exercise Find(string id) =>
        All.FirstOrDefault(e => e.Id == id)
        ?? throw new ArgumentException($"Unknown exercise '{id}'. Known ids: {string.Join(", ", All.Select(e => e.Id))}. Run `chapters list` for titles.");

    private static string SortKey(string id) => string.Join(".", id.Split('.').Select(p => p.PadLeft(4, '0')));
}
