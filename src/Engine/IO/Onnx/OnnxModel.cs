using Engine.IO.Onnx.Proto;
using Engine.Nn;

namespace Engine.IO.Onnx;

/// <summary>
/// An ONNX model imported as an engine <see cref="Module"/>. Float initializers become parameters
/// (ordinary tensors: trainable, moved by <see cref="Module.To"/>, differentiated by autograd), the
/// running statistics of BatchNormalization become buffers, integer initializers (shapes) stay on the host.
/// <see cref="Forward"/> runs the graph on one input; <see cref="Run(Tensor, string[])"/> returns any
/// named intermediate values. The model starts in eval mode (BatchNormalization uses its running
/// statistics, Dropout is the identity), as ONNX Runtime runs it.
/// <code>
/// var model = OnnxModel.Load("ResNet18.onnx");
/// var acts = model.Run(x, "Pooling395_Output_0", model.Nodes[3].Outputs[0]);
/// </code>
/// </summary>
public sealed partial class OnnxModel : Module
{
    /// <summary>The lowest and highest default-domain opset versions this importer implements.</summary>
    public const int MinOpset = 7, MaxOpset = 21;

    private readonly Dictionary<string, Tensor> _weights = new();
    private readonly Dictionary<string, long[]> _integers = new();
    private readonly OnnxNode[] _nodes;
    private readonly Dictionary<string, int> _lastUse = new();

    private OnnxModel(ModelProto model, string source)
    {
        Source = source;
        var graph = model.Graph ?? throw new InvalidDataException($"ONNX: {source} holds no graph; the file is truncated or not an ONNX model.");
        OpsetVersion = ReadOpset(model, source);
        ProducerName = model.ProducerName;

        var bnStats = new HashSet<string>();
        foreach (var n in graph.Node)
            if (n.OpType == "BatchNormalization" && n.Input.Count >= 5) { bnStats.Add(n.Input[3]); bnStats.Add(n.Input[4]); }
        foreach (var init in graph.Initializer)
        {
            string where = "initializer of " + source;
            if (string.IsNullOrEmpty(init.Name)) throw new InvalidDataException($"ONNX: {source} has an initializer without a name.");
            if (OnnxTensors.IsFloat(init))
            {
                var t = OnnxTensors.ToTensor(init, where);
                _weights[init.Name] = bnStats.Contains(init.Name) ? RegisterBuffer(init.Name, t) : RegisterParameter(init.Name, t);
            }
            else if (OnnxTensors.IsInteger(init)) _integers[init.Name] = OnnxTensors.ToInt64s(init, where);
            else throw new NotSupportedException($"ONNX: initializer '{init.Name}' of {source} has data type {OnnxTensors.TypeName(init.DataType)}, which is not supported here (float, double, int64, int32 are).");
        }

        InputNames = graph.Input.Select(v => v.Name).Where(n => !_weights.ContainsKey(n) && !_integers.ContainsKey(n)).ToArray();
        OutputNames = graph.Output.Select(v => v.Name).ToArray();
        if (InputNames.Count == 0) throw new InvalidDataException($"ONNX: {source} declares no graph input.");
        if (OutputNames.Count == 0) throw new InvalidDataException($"ONNX: {source} declares no graph output.");
        InputShapes = graph.Input.Where(v => InputNames.Contains(v.Name)).ToDictionary(v => v.Name, v => DeclaredShape(v));

        _nodes = new OnnxNode[graph.Node.Count];
        var known = new HashSet<string>(InputNames.Concat(_weights.Keys).Concat(_integers.Keys));
        for (int i = 0; i < _nodes.Length; i++)
        {
            var node = new OnnxNode(graph.Node[i], i);
            _nodes[i] = node;
            if (node.Domain is not ("" or "ai.onnx"))
                throw new NotSupportedException($"ONNX: {node.Where} is in operator domain '{node.Domain}'; only the default ai.onnx operators are supported.");
            OnnxOps.CheckSupported(node, OpsetVersion);
            foreach (var input in node.Inputs)
            {
                if (input.Length == 0) continue;
                if (!known.Contains(input))
                    throw new InvalidDataException($"ONNX: {node.Where} reads '{input}', which no earlier node, input or initializer defines; the file is corrupt or its nodes are not in topological order.");
                _lastUse[input] = i;
            }
            if (node.OpType == "Constant") AddConstant(node);
            foreach (var o in node.Outputs) if (o.Length > 0) known.Add(o);
        }
        foreach (var o in OutputNames)
            if (!known.Contains(o)) throw new InvalidDataException($"ONNX: graph output '{o}' of {source} is not produced by any node.");
        Eval();
    }

    /// <summary>
    /// A model over <paramref name="nodes"/> with the initializers <paramref name="weights"/> (name → tensor, in
    /// registration order; those in <paramref name="buffers"/> become buffers), inputs and outputs as
    /// <paramref name="from"/>'s. Used by <see cref="FoldBatchNorm"/>.
    /// </summary>
    private OnnxModel(OnnxModel from, OnnxNode[] nodes, IEnumerable<KeyValuePair<string, Tensor>> weights, ISet<string> buffers, string source)
    {
        Source = source;
        OpsetVersion = from.OpsetVersion;
        ProducerName = from.ProducerName;
        InputNames = from.InputNames;
        OutputNames = from.OutputNames;
        InputShapes = from.InputShapes;
        CheckInputShapes = from.CheckInputShapes;
        foreach (var (name, t) in weights) _weights[name] = buffers.Contains(name) ? RegisterBuffer(name, t) : RegisterParameter(name, t);
        foreach (var (name, v) in from._integers) _integers[name] = v;
        _nodes = nodes;
        for (int i = 0; i < nodes.Length; i++)
            foreach (var input in nodes[i].Inputs)
                if (input.Length > 0) _lastUse[input] = i;
        Eval();
    }

    /// <summary>Reads an .onnx file. A missing, truncated or corrupt file, or an unsupported operator, opset or data type, is an error naming it.</summary>
    public static OnnxModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX: model file '{path}' does not exist.", path);
        return Load(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a model from the bytes of an .onnx file; <paramref name="source"/> names it in errors.</summary>
    public static OnnxModel Load(byte[] bytes, string source = "(bytes)")
    {
        if (bytes.Length == 0) throw new InvalidDataException($"ONNX: {source} is empty.");
        ModelProto proto;
        try { proto = ModelProto.Parser.ParseFrom(bytes); }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"ONNX: {source} ({bytes.Length} bytes) is not a valid ONNX protobuf — truncated or corrupt: {e.Message}", e);
        }
        return new OnnxModel(proto, source);
    }

    /// <summary>The file (or source name) the model came from.</summary>
    public string Source { get; }

    /// <summary>The default-domain operator set version the model was written for.</summary>
    public int OpsetVersion { get; }

    /// <summary>The program that wrote the file (e.g. "CNTK", "pytorch").</summary>
    public string ProducerName { get; }

    /// <summary>The graph inputs that are not initializers (the data the caller feeds).</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>The graph outputs.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>The declared shape of each input (−1 for a symbolic or unknown dimension).</summary>
    public IReadOnlyDictionary<string, int[]> InputShapes { get; }

    /// <summary>
    /// When true (the default, as ONNX Runtime does) an input must have the declared shape; when false
    /// only its rank is checked, so a fully convolutional model can take other batch sizes and image sizes.
    /// </summary>
    public bool CheckInputShapes { get; set; } = true;

    /// <summary>When set, called after each node with its wall-clock seconds (`chapters bench resnet18` sums them by operator).</summary>
    internal Action<OnnxNode, double>? NodeTimer { get; set; }

    /// <summary>The nodes in execution order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The initializer (parameter or buffer) named <paramref name="name"/>.</summary>
    public Tensor Weight(string name) =>
        _weights.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"ONNX: {Source} has no float initializer '{name}'.");

    /// <summary>Runs the graph on <paramref name="input"/> (fed to the first graph input) and returns the first graph output.</summary>
    public override Tensor Forward(Tensor input) => Run(input, OutputNames[0])[OutputNames[0]];

    /// <summary>
    /// Runs the graph on <paramref name="input"/> as far as needed and returns the values named
    /// <paramref name="outputs"/> (node outputs or graph outputs; all graph outputs when none are named).
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Run(Tensor input, params string[] outputs) =>
        Run(new Dictionary<string, Tensor> { [InputNames[0]] = input }, outputs);

    /// <summary>
    /// Runs the graph on named inputs and returns the named values. Besides the graph inputs, any
    /// intermediate value may be given: the nodes that produce it are skipped and the graph continues
    /// from it (how Grad-CAM differentiates the head of a network w.r.t. a feature map).
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, params string[] outputs)
    {
        if (outputs.Length == 0) outputs = OutputNames.ToArray();
        var producedBy = new Dictionary<string, int>();
        for (int i = 0; i < _nodes.Length; i++) foreach (var o in _nodes[i].Outputs) producedBy[o] = i;
        var values = new Dictionary<string, Tensor>();
        foreach (var (name, x) in inputs)
        {
            if (InputNames.Contains(name)) CheckInput(name, x);
            else if (!producedBy.ContainsKey(name))
                throw new ArgumentException($"ONNX: {Source} has no input or node output '{name}'; its inputs are {string.Join(", ", InputNames)}.");
            values[name] = x;
        }
        var wanted = new HashSet<string>(outputs);
        foreach (var o in wanted)
            if (!producedBy.ContainsKey(o) && !values.ContainsKey(o) && !_weights.ContainsKey(o))
                throw new ArgumentException($"ONNX: {Source} has no value named '{o}' (ask for a node output, e.g. {string.Join(", ", _nodes.Take(3).Select(n => n.Outputs[0]))}, or a graph output: {string.Join(", ", OutputNames)}).");
        // Only the nodes the wanted values depend on run, starting from the values given.
        var needed = new bool[_nodes.Length];
        var pending = new Stack<string>(wanted);
        while (pending.Count > 0)
        {
            var name = pending.Pop();
            if (values.ContainsKey(name) || !producedBy.TryGetValue(name, out int i) || needed[i]) continue;
            needed[i] = true;
            foreach (var input in _nodes[i].Inputs) if (input.Length > 0) pending.Push(input);
        }
        // Without a graph to record, each intermediate value is freed after the last node that reads it.
        bool recording = Autograd.IsEnabled && (values.Values.Any(t => t.RequiresGrad) || Parameters().Any(p => p.RequiresGrad));
        // Without a graph, a Conv or Add whose output only a Relu reads applies the max(0, ·) in its own output pass,
        // and a Conv whose output only a residual Add reads adds the residual there too (and that Add's Relu).
        var reluOf = recording ? [] : ReluPairs(needed, wanted, inputs);
        var addOf = recording ? [] : AddPairs(needed, wanted, inputs, producedBy);
        var skipped = new HashSet<int>(reluOf.Values.Concat(addOf.Values));
        var blocked = BlockedFor(recording);
        for (int i = 0; i < _nodes.Length; i++)
        {
            var node = _nodes[i];
            if (!needed[i] || node.OpType == "Constant" || skipped.Contains(i)) continue;
            // Integer constants (shapes, axes) are read from the host by the operator, not passed as tensors.
            var args = node.Inputs.Select(n => n.Length == 0 || _integers.ContainsKey(n) ? null : Lookup(values, n)).ToArray();
            if (blocked is not null) args = BlockedArgs(node, args, values);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            bool overwrite = !recording && MayOverwrite(node, i, values, inputs, wanted);
            // The last node whose work this one does: itself, its Add, then that Add's or its own Relu.
            int last = addOf.TryGetValue(i, out int add) ? add : i;
            bool fuse = reluOf.TryGetValue(last, out int relu);
            Tensor? residual = last != i ? Lookup(values, _nodes[add].Inputs.First(n => n != node.Outputs[0])) : null;
            var results = OnnxOps.Run(node, args, new OnnxContext(OpsetVersion, Training, _integers, node, overwrite, fuse, residual, blocked));
            if (blocked is not null) MarkBlockedResult(node, args, results);
            NodeTimer?.Invoke(node, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
            var outputNames = fuse ? _nodes[relu].Outputs : _nodes[last].Outputs;
            for (int k = 0; k < outputNames.Count && k < results.Length; k++)
                if (outputNames[k].Length > 0) values[outputNames[k]] = results[k];
            if (!recording)
                foreach (var n in node.Inputs.Concat(_nodes[last].Inputs).Distinct())
                    if (n.Length > 0 && (_lastUse[n] == i || _lastUse[n] == last) && !wanted.Contains(n) && values.TryGetValue(n, out var t) && !t.Persistent && !inputs.ContainsKey(n))
                    {
                        // The name is dead; the tensor lives on if a result or another value is the same object.
                        values.Remove(n);
                        if (!results.Contains(t) && !values.Values.Any(v => ReferenceEquals(v, t))) t.Dispose();
                    }
        }
        return wanted.ToDictionary(o => o, o => Lookup(values, o) is var t && Nchwc.IsBlocked(t) ? Unblocked(t, values) : t);
    }

    /// <summary>Value producers whose result is a tensor of its own (not a view or the same object as an input value).</summary>
    private static readonly HashSet<string> FreshResults = ["Conv", "BatchNormalization", "Relu", "Add", "MaxPool"];

    /// <summary>
    /// Whether node <paramref name="i"/> (a Relu or an Add) may write its result over its first input: that
    /// value was made by a node in <see cref="FreshResults"/>, this node is its last reader (and reads it once),
    /// it was neither given nor asked for, and no other value is the same tensor.
    /// </summary>
    private bool MayOverwrite(OnnxNode node, int i, Dictionary<string, Tensor> values, IReadOnlyDictionary<string, Tensor> inputs, HashSet<string> wanted)
    {
        if (node.OpType is not ("Relu" or "Add") || node.Inputs.Count == 0) return false;
        string name = node.Inputs[0];
        if (name.Length == 0 || _lastUse[name] != i || wanted.Contains(name) || inputs.ContainsKey(name) || node.Inputs.Skip(1).Contains(name)) return false;
        var producer = _nodes.Take(i).LastOrDefault(n => n.Outputs.Contains(name));
        if (producer is null || !FreshResults.Contains(producer.OpType) || !values.TryGetValue(name, out var t) || t.Persistent) return false;
        return values.Count(kv => ReferenceEquals(kv.Value, t)) == 1;
    }

    private Tensor Lookup(Dictionary<string, Tensor> values, string name)
    {
        if (values.TryGetValue(name, out var t)) return t;
        if (_weights.TryGetValue(name, out var w)) return w;
        throw new ArgumentException(InputNames.Contains(name)
            ? $"ONNX: {Source} needs input '{name}' (declared shape {Tensor.ShapeString(InputShapes[name])}) to compute what was asked."
            : $"ONNX: value '{name}' of {Source} is needed but was neither given nor computed.");
    }

    private void CheckInput(string name, Tensor x)
    {
        var declared = InputShapes[name];
        bool fits = declared.Length == 0 || declared.Length == x.Rank;
        for (int d = 0; fits && CheckInputShapes && d < declared.Length; d++) fits = declared[d] < 0 || declared[d] == x.Dim(d);
        if (!fits)
            throw new ArgumentException($"ONNX: input '{name}' of {Source} is declared as {Tensor.ShapeString(declared)}, got {Tensor.ShapeString(x.Shape)}{(CheckInputShapes ? " (set CheckInputShapes = false to feed other sizes)" : "")}.");
    }

    private void AddConstant(OnnxNode node)
    {
        node.OnlyAttributes("value");
        var p = node.TensorAttr("value") ?? throw new NotSupportedException($"ONNX: {node.Where} has no 'value' tensor attribute (value_float, value_ints, … are not supported).");
        string where = node.Where;
        if (OnnxTensors.IsFloat(p)) _weights[node.Outputs[0]] = RegisterBuffer(node.Outputs[0], OnnxTensors.ToTensor(p, where));
        else if (OnnxTensors.IsInteger(p)) _integers[node.Outputs[0]] = OnnxTensors.ToInt64s(p, where);
        else throw new NotSupportedException($"ONNX: {where} holds a constant of data type {OnnxTensors.TypeName(p.DataType)}, which is not supported here.");
    }

    private static int ReadOpset(ModelProto model, string source)
    {
        if (model.OpsetImport.Count == 0)
            throw new InvalidDataException($"ONNX: {source} declares no operator set (opset_import); the file is truncated or not an ONNX model.");
        var def = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new NotSupportedException($"ONNX: {source} imports only the operator sets {string.Join(", ", model.OpsetImport.Select(o => $"'{o.Domain}'"))}; the default ai.onnx domain is required.");
        long v = def.Version;
        if (v < MinOpset || v > MaxOpset)
            throw new NotSupportedException($"ONNX: {source} uses opset {v} of the default domain; this importer implements opsets {MinOpset}–{MaxOpset}.");
        return (int)v;
    }

    private static int[] DeclaredShape(ValueInfoProto v)
    {
        var shape = v.Type?.TensorType?.Shape;
        if (shape is null) return [];
        return shape.Dim.Select(d => d.HasDimValue ? (int)d.DimValue : -1).ToArray();
    }
}
