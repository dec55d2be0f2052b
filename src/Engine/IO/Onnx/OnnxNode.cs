using Engine.IO.Onnx.Proto;
using AttrType = Engine.IO.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace Engine.IO.Onnx;

/// <summary>
/// One node of an imported ONNX graph: its name (or "#index" when the file gives none), operator
/// type, and the names of the values it reads and writes (an empty input name is an omitted
/// optional input). Any output name can be asked for in <see cref="OnnxModel.Run(Tensor, string[])"/>.
/// </summary>
public sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> _attributes;

    internal OnnxNode(NodeProto proto, int index)
    {
        Name = string.IsNullOrEmpty(proto.Name) ? "#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) : proto.Name;
        OpType = proto.OpType;
        Domain = proto.Domain;
        Inputs = proto.Input.ToArray();
        Outputs = proto.Output.ToArray();
        _attributes = new Dictionary<string, AttributeProto>();
        foreach (var a in proto.Attribute) _attributes[a.Name] = a;
    }

    private OnnxNode(OnnxNode from, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs)
    {
        Name = from.Name;
        OpType = from.OpType;
        Domain = from.Domain;
        Inputs = inputs.ToArray();
        Outputs = outputs.ToArray();
        _attributes = from._attributes;
    }

    /// <summary>The same operator, name and attributes reading <paramref name="inputs"/> and writing <paramref name="outputs"/>.</summary>
    internal OnnxNode With(IReadOnlyList<string> inputs, IReadOnlyList<string> outputs) => new(this, inputs, outputs);

    /// <summary>The node's name in the file ("#index" when it has none).</summary>
    public string Name { get; }

    /// <summary>The operator, e.g. "Conv".</summary>
    public string OpType { get; }

    /// <summary>The operator set domain ("" for the default ai.onnx).</summary>
    public string Domain { get; }

    /// <summary>Names of the values read, in the operator's order ("" for an omitted optional input).</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Names of the values written.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The names of the attributes the file gives this node.</summary>
    public IEnumerable<string> AttributeNames => _attributes.Keys;

    /// <inheritdoc/>
    public override string ToString() => $"{OpType} '{Name}' ({string.Join(", ", Inputs)}) → ({string.Join(", ", Outputs)})";

    /// <summary>"node 'name' (OpType)", for error messages.</summary>
    internal string Where => $"node '{Name}' ({OpType})";

    internal bool Has(string name) => _attributes.ContainsKey(name);

    internal long Int(string name, long fallback) =>
        _attributes.TryGetValue(name, out var a) ? Expect(a, AttrType.Int).I : fallback;

    internal float Float(string name, float fallback) =>
        _attributes.TryGetValue(name, out var a) ? Expect(a, AttrType.Float).F : fallback;

    internal string String(string name, string fallback) =>
        _attributes.TryGetValue(name, out var a) ? Expect(a, AttrType.String).S.ToStringUtf8() : fallback;

    internal long[]? Ints(string name) =>
        _attributes.TryGetValue(name, out var a) ? Expect(a, AttrType.Ints).Ints.ToArray() : null;

    internal TensorProto? TensorAttr(string name) =>
        _attributes.TryGetValue(name, out var a) ? Expect(a, AttrType.Tensor).T : null;

    /// <summary>Throws when the node has an attribute this importer does not implement.</summary>
    internal void OnlyAttributes(params string[] known)
    {
        foreach (var n in _attributes.Keys)
            if (!known.Contains(n))
                throw new NotSupportedException($"ONNX: {Where} has attribute '{n}', which this importer does not implement (it knows {string.Join(", ", known)}).");
    }

    private AttributeProto Expect(AttributeProto a, AttrType type)
    {
        // Files from older exporters leave the type unset (UNDEFINED); trust the field then.
        if (a.Type != AttrType.Undefined && a.Type != type)
            throw new InvalidDataException($"ONNX: {Where}: attribute '{a.Name}' is {a.Type}, expected {type}.");
        return a;
    }
}
