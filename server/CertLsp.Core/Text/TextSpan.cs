namespace CertLsp.Core.Text;

/// <summary>A run of UTF-16 code units in a document: where it starts and how long it is.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static TextSpan FromBounds(int start, int end) => new(start, end - start);

    public bool Contains(int offset) => offset >= Start && offset < End;

    public bool IntersectsOrTouches(TextSpan other) => other.Start <= End && Start <= other.End;

    public override string ToString() => $"[{Start}..{End})";
}

/// <summary>A zero-based line and UTF-16 character offset within that line (the LSP convention).</summary>
public readonly record struct LinePosition(int Line, int Character) : IComparable<LinePosition>
{
    public int CompareTo(LinePosition other) => Line != other.Line ? Line.CompareTo(other.Line) : Character.CompareTo(other.Character);

    public override string ToString() => $"{Line}:{Character}";
}

/// <summary>A start and end position (end exclusive), the LSP <c>Range</c>.</summary>
public readonly record struct LineRange(LinePosition Start, LinePosition End);
