using Engine;

namespace Chapters;

/// <summary>One runnable exercise of the book: `chapters run &lt;Id&gt;`.</summary>
public abstract class Exercise
{
    /// <summary>The book's section number, e.g. "24.1".</summary>
    public abstract string Id { get; }

    /// <summary>One line saying what it shows.</summary>
    public abstract string Title { get; }

    /// <summary>The --options this exercise reads besides those of `run` (names in <see cref="CliOptions.All"/>).</summary>
    public virtual IReadOnlyList<string> OptionNames => [];

    /// <summary>Runs the exercise: prints what the book prints, writes files under ctx.OutDir, records checks.</summary>
    public abstract void Run(ExerciseContext ctx);
}
