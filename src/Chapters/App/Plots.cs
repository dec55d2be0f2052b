using ScottPlot;

namespace Chapters;

/// <summary>
/// A small ScottPlot helper for the exercises' PNGs: a titled plot, line series (with or without
/// markers), contour lines of a function f(x, y) on a grid, and saving one plot or a grid of plots.
/// </summary>
public static class Plots
{
    /// <summary>A new plot with a title and axis labels.</summary>
    public static Plot New(string title, string xLabel = "", string yLabel = "")
    {
        var plot = new Plot();
        plot.Title(title);
        if (xLabel.Length > 0) plot.XLabel(xLabel);
        if (yLabel.Length > 0) plot.YLabel(yLabel);
        return plot;
    }

    /// <summary>Adds a line through (xs[i], ys[i]); <paramref name="markers"/> draws a dot at each point (matplotlib's 'o-').</summary>
    public static ScottPlot.Plottables.Scatter Line(Plot plot, double[] xs, double[] ys, string? label = null, bool markers = false, Color? color = null)
    {
        if (xs.Length != ys.Length)
            throw new ArgumentException($"Plots.Line: {xs.Length} x values but {ys.Length} y values.");
        var s = plot.Add.Scatter(xs, ys, color);
        s.MarkerSize = markers ? 5 : 0;
        s.LineWidth = 2;
        if (label is not null) s.LegendText = label;
        return s;
    }

    /// <summary>
    /// Contour lines of f over [xMin, xMax] × [yMin, yMax] sampled on a grid×grid lattice; values above
    /// <paramref name="zMax"/> are clipped to it (so only the region of interest gets lines).
    /// </summary>
    public static ScottPlot.Plottables.ContourLines Contour(Plot plot, Func<double, double, double> f,
        double xMin, double xMax, double yMin, double yMax, int levels = 10, double zMax = double.PositiveInfinity, int grid = 200)
    {
        if (!(xMax > xMin) || !(yMax > yMin) || grid < 2 || levels < 1)
            throw new ArgumentException($"Plots.Contour: need xMax > xMin, yMax > yMin, grid ≥ 2 and levels ≥ 1 (got x [{xMin}, {xMax}], y [{yMin}, {yMax}], grid {grid}, levels {levels}).");
        var points = new Coordinates3d[grid, grid];
        for (int i = 0; i < grid; i++)
            for (int j = 0; j < grid; j++)
            {
                double x = xMin + (xMax - xMin) * j / (grid - 1), y = yMin + (yMax - yMin) * i / (grid - 1);
                points[i, j] = new Coordinates3d(x, y, Math.Min(f(x, y), zMax));
            }
        return plot.Add.ContourLines(points, levels);
    }

    /// <summary>Saves one plot as a PNG; returns the path.</summary>
    public static string Save(Plot plot, string path, int width = 800, int height = 600)
    {
        plot.SavePng(path, width, height);
        return path;
    }

    /// <summary>Saves plots side by side in a rows × cols grid as one PNG; returns the path.</summary>
    public static string SaveGrid(IReadOnlyList<Plot> plots, int rows, int cols, string path, int width = 1000, int height = 800)
    {
        if (plots.Count > rows * cols)
            throw new ArgumentException($"Plots.SaveGrid: {plots.Count} plots do not fit a {rows}×{cols} grid.");
        var multiplot = new Multiplot();
        multiplot.Reset(plots[0]);
        foreach (var p in plots.Skip(1)) multiplot.AddPlot(p);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, cols);
        multiplot.SavePng(path, width, height);
        return path;
    }
}
