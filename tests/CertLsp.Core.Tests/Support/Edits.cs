using CertLsp.Core.Diagnostics;

namespace CertLsp.Core.Tests.Support;

/// <summary>Applies the text edits of a fix the way an editor does: all against the original text, from the end backwards.</summary>
public static class Edits
{
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        var ordered = edits.OrderByDescending(e => e.Span.Start).ThenByDescending(e => e.Span.End).ToList();
        for (int i = 1; i < ordered.Count; i++)
        {
            Assert.True(ordered[i].Span.End <= ordered[i - 1].Span.Start, $"edits overlap: {ordered[i].Span} and {ordered[i - 1].Span}");
        }
        foreach (var edit in ordered)
        {
            Assert.InRange(edit.Span.Start, 0, text.Length);
            Assert.InRange(edit.Span.End, edit.Span.Start, text.Length);
            text = string.Concat(text.AsSpan(0, edit.Span.Start), edit.NewText, text.AsSpan(edit.Span.End));
        }
        return text;
    }

    /// <summary>The fix's edits applied to the one file they touch.</summary>
    public static string Apply(string path, string text, Fix fix)
    {
        Assert.NotEmpty(fix.Edits);
        Assert.All(fix.Edits, e => Assert.Equal(path, e.Path));
        return Apply(text, fix.Edits);
    }
}
