using System.Runtime.CompilerServices;

namespace Engine;

public static partial class Gemm
{
    /// <summary>
    /// What a microkernel does with a tile's sums in place of its store into C: each valid row r (0 ≤ r &lt; the tile's
    /// rows) is handed over as two vectors (columns [0, w) and [w, 2w)). A struct type parameter, so the JIT compiles
    /// one kernel copy per epilogue and drops the unused path.
    /// </summary>
    private unsafe interface IEpilogue<TV, T> where TV : struct where T : unmanaged
    {
        /// <summary>Whether the kernel calls <see cref="Row"/> instead of storing into C.</summary>
        static abstract bool Active { get; }

        /// <summary>
        /// Row r's sums (v0, v1); with <paramref name="accumulate"/> C's row at <paramref name="c"/> (2w values, an earlier
        /// K slice's sums) is added to them first, as the plain store would.
        /// </summary>
        void Row(T* c, int r, TV v0, TV v1, bool accumulate);
    }

    /// <summary>No epilogue: the kernel stores into C (every plain GEMM).</summary>
    private readonly unsafe struct NoEpilogue<TV, T> : IEpilogue<TV, T> where TV : struct where T : unmanaged
    {
        public static bool Active => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Row(T* c, int r, TV v0, TV v1, bool accumulate) { }
    }
}
