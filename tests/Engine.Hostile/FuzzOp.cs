namespace Engine.Hostile;

/// <summary>An op under fuzz: its name, the names an error may carry (the op and the ops it is built from), and a maker of calls.</summary>
public sealed record FuzzOp(string Name, string[] Names, Func<FuzzDraw, FuzzCall> Make);
