namespace Engine;

public static partial class Gemm
{
    /// <summary>The number of accumulator rows of a Vector256 microkernel tile, a constant the JIT folds into each copy of the kernel.</summary>
    private interface ITileRows
    {
        /// <summary>Rows of the tile: 4, 5 or 6.</summary>
        static abstract int Count { get; }
    }

    /// <summary>A 6-row tile (<see cref="MR"/>).</summary>
    private readonly struct Rows6 : ITileRows
    {
        public static int Count => 6;
    }

    /// <summary>A 5-row tile (the last rows of a C whose rows leave 5 after the 6-row tiles).</summary>
    private readonly struct Rows5 : ITileRows
    {
        public static int Count => 5;
    }

    /// <summary>A tile of at most 4 rows (the last 4 rows of a 100-row C cut in 6s).</summary>
    private readonly struct Rows4 : ITileRows
    {
        public static int Count => 4;
    }
}
