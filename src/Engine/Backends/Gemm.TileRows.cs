namespace Engine;

public static partial class Gemm
{
    /// <summary>
    /// The number of accumulator rows of a microkernel tile (the GEMM's rows, or the blocked conv's outputs), a constant the
    /// JIT folds into each copy of the kernel.
    /// </summary>
    internal interface ITileRows
    {
        /// <summary>Rows of the tile: 1–6 or 8.</summary>
        static abstract int Count { get; }
    }

    /// <summary>
    /// An 8-row tile on Vector512 (16 of the 32 registers hold accumulators): the implicit conv's A strips, and a Goto-order
    /// GEMM's rows of an A read in place.
    /// </summary>
    internal readonly struct Rows8 : ITileRows
    {
        public static int Count => 8;
    }

    /// <summary>A 6-row tile (<see cref="MR"/>).</summary>
    internal readonly struct Rows6 : ITileRows
    {
        public static int Count => 6;
    }

    /// <summary>A 5-row tile (the last rows of a C whose rows leave 5 after the 6-row tiles).</summary>
    internal readonly struct Rows5 : ITileRows
    {
        public static int Count => 5;
    }

    /// <summary>A tile of at most 4 rows (the last 4 rows of a 100-row C cut in 6s).</summary>
    internal readonly struct Rows4 : ITileRows
    {
        public static int Count => 4;
    }

    /// <summary>A 3-row tile (the blocked conv's short tiles).</summary>
    internal readonly struct Rows3 : ITileRows
    {
        public static int Count => 3;
    }

    /// <summary>A 2-row tile (the blocked conv's short tiles).</summary>
    internal readonly struct Rows2 : ITileRows
    {
        public static int Count => 2;
    }

    /// <summary>A 1-row tile (the blocked conv's outputs at the padded edges).</summary>
    internal readonly struct Rows1 : ITileRows
    {
        public static int Count => 1;
    }
}
