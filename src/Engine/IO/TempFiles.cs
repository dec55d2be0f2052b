using System.Diagnostics;

namespace Engine.IO;

/// <summary>
/// Names and clean-up of the temporary files an atomic save writes beside its target:
/// ".{file}.{pid}.{random}.tmp". A save that dies mid-write (kill -9, power loss) leaves one behind;
/// the next save of the same target removes those whose process is gone.
/// </summary>
internal static class TempFiles
{
    /// <summary>
    /// Writes a file atomically: <paramref name="write"/> fills a temporary file beside <paramref name="path"/>,
    /// which is flushed to disk and renamed over the target, so readers see the old file or the new one,
    /// never a part. Stale temporary files of the same target are removed first. File-system errors are
    /// rethrown as an <see cref="IOException"/> naming <paramref name="op"/> and the path.
    /// </summary>
    public static void WriteAtomically(string op, string path, Action<Stream> write)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"{op}: \"{path}\" is not a usable file path ({ex.Message})", nameof(path), ex);
        }
        if (Directory.Exists(full))
            throw new IOException($"{op}: {full} is a directory; pass a file name inside it.");
        string tmp = "";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full) ?? ".");
            RemoveStale(full);
            tmp = NewName(full);
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new IOException($"{op}: cannot write {full}: {ex.Message}", ex);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        if (file.Length == 0) return;
        try { File.Delete(file); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>A fresh temporary name in the target's folder, tagged with this process's id.</summary>
    public static string NewName(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>Deletes the temporary files of <paramref name="fullPath"/> left by processes that no longer run.</summary>
    public static void RemoveStale(string fullPath)
    {
        string dir = Path.GetDirectoryName(fullPath) ?? ".";
        string prefix = $".{Path.GetFileName(fullPath)}.";
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, prefix + "*.tmp").ToList(); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        foreach (var file in candidates)
        {
            // ".{name}." then "{pid}.{32 hex}.tmp"
            var rest = Path.GetFileName(file)[prefix.Length..].Split('.');
            if (rest.Length != 3 || rest[2] != "tmp" || rest[1].Length != 32 || !int.TryParse(rest[0], out int pid)) continue;
            if (pid == Environment.ProcessId || IsRunning(pid)) continue;
            try { File.Delete(file); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
