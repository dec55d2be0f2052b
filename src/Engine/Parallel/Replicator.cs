using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Module = Engine.Nn.Module;

namespace Engine.Parallelism;

/// <summary>
/// torch.nn.parallel.replicate: a copy of a module tree whose parameters are replaced by given tensors
/// (differentiable copies on the replica's device, so gradients flow back to the originals). Like
/// PyTorch's shallow __dict__ copy: every Module object is cloned field by field; fields holding a
/// parameter, a buffer or a child module — directly, in a List, an array or a value tuple — point at
/// the replica's; every other field is shared. A field that would still reach an original parameter
/// after the copy (another collection type) is reported instead of silently training the wrong tensor.
/// </summary>
public static class Replicator
{
    private static readonly MethodInfo CloneMethod = typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>A replica of <paramref name="module"/> where each parameter or buffer t is replaced by map(t).</summary>
    public static Module Replicate(Module module, Func<Tensor, Tensor> map)
    {
        ArgumentNullException.ThrowIfNull(module);
        var originals = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var memo = new Dictionary<object, object>(ReferenceEqualityComparer.Instance);
        foreach (var p in module.Parameters()) { originals.Add(p); memo[p] = map(p); }
        foreach (var (_, b) in module.NamedBuffers()) { originals.Add(b); memo[b] = map(b); }
        var replica = (Module)Remap(module, memo)!;
        foreach (var m in memo.Values.OfType<Module>()) CheckNoOriginals(m, originals);
        return replica;
    }

    private static object? Remap(object? value, Dictionary<object, object> memo)
    {
        if (value is null) return null;
        if (!value.GetType().IsValueType && memo.TryGetValue(value, out var done)) return done;
        switch (value)
        {
            case Module m:
            {
                var copy = CloneMethod.Invoke(m, null)!;
                memo[m] = copy;
                foreach (var f in Fields(m.GetType())) f.SetValue(copy, Remap(f.GetValue(m), memo));
                return copy;
            }
            case Array a when !a.GetType().GetElementType()!.IsPrimitive:
            {
                var copy = (Array)a.Clone();
                for (int i = 0; i < a.Length; i++) copy.SetValue(Remap(a.GetValue(i), memo), i);
                return copy;
            }
            case ITuple t when value.GetType().IsValueType && value.GetType().IsGenericType:
            {
                var items = new object?[t.Length];
                for (int i = 0; i < t.Length; i++) items[i] = Remap(t[i], memo);
                return Activator.CreateInstance(value.GetType(), items);
            }
            case IList list when value.GetType().IsGenericType && value.GetType().GetGenericTypeDefinition() == typeof(List<>) && HoldsModuleState(value.GetType().GetGenericArguments()[0]):
            {
                var copy = (IList)Activator.CreateInstance(value.GetType(), list.Count)!;
                foreach (var item in list) copy.Add(Remap(item, memo));
                return copy;
            }
            default:
                return value;
        }
    }

    /// <summary>True for element types that can hold tensors or modules (worth copying a list of them).</summary>
    private static bool HoldsModuleState(Type t) =>
        typeof(Tensor).IsAssignableFrom(t) || typeof(Module).IsAssignableFrom(t) || t == typeof(object) ||
        (t.IsValueType && t.IsGenericType && typeof(ITuple).IsAssignableFrom(t) && t.GetGenericArguments().Any(HoldsModuleState));

    private static IEnumerable<FieldInfo> Fields(Type? t)
    {
        for (; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return f;
    }

    private static void CheckNoOriginals(Module replica, HashSet<Tensor> originals)
    {
        foreach (var f in Fields(replica.GetType()))
        {
            var v = f.GetValue(replica);
            if (Reaches(v, originals, depth: 0))
                throw new NotSupportedException(
                    $"Replicator: field '{f.Name}' of {replica.GetType().Name} still reaches an original parameter after copying; " +
                    "keep parameters in plain fields, List<T>, arrays or tuples (or register them with RegisterParameter and read them from there).");
        }
    }

    private static bool Reaches(object? v, HashSet<Tensor> originals, int depth)
    {
        if (v is null || depth > 2) return false;
        if (v is Tensor t) return originals.Contains(t);
        if (v is Module or string) return false;
        if (v is ITuple tuple)
        {
            for (int i = 0; i < tuple.Length; i++) if (Reaches(tuple[i], originals, depth + 1)) return true;
            return false;
        }
        if (v is IDictionary dict)
        {
            foreach (DictionaryEntry e in dict) if (Reaches(e.Key, originals, depth + 1) || Reaches(e.Value, originals, depth + 1)) return true;
            return false;
        }
        if (v is IEnumerable many && !v.GetType().IsPrimitive && v is not Array { Rank: > 1 })
        {
            if (v is Array arr && arr.GetType().GetElementType()!.IsPrimitive) return false;
            foreach (var x in many) if (Reaches(x, originals, depth + 1)) return true;
        }
        return false;
    }
}
