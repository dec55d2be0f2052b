using System.Numerics;

namespace Engine;

public static partial class Gemm
{
    /// <summary>The plain triple loop (i, p, j order so the inner loop walks rows of B and C).</summary>
    public static void Reference<T>(bool transA, bool transB, int m, int n, int k, T alpha, ReadOnlySpan<T> a, ReadOnlySpan<T> b, T beta, Span<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * n, n);
            if (beta == T.Zero) row.Clear();
            else if (beta != T.One) for (int j = 0; j < n; j++) row[j] *= beta;
            for (int p = 0; p < k; p++)
            {
                T aip = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                if (transB) for (int j = 0; j < n; j++) row[j] += aip * b[j * k + p];
                else
                {
                    var brow = b.Slice(p * n, n);
                    for (int j = 0; j < n; j++) row[j] += aip * brow[j];
                }
            }
        }
    }
}
