namespace Engine.Data;

/// <summary>The contents of an IDX image file: <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Columns"/> unsigned bytes, row-major.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Columns">Image width.</param>
/// <param name="Pixels">Count·Rows·Columns bytes (0..255), image after image.</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
