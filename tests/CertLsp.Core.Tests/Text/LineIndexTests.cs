using CertLsp.Core.Text;

namespace CertLsp.Core.Tests.Text;

/// <summary>The one place offsets become line/character: "\n", "\r\n" and a lone "\r" break lines; characters are UTF-16 units.</summary>
public sealed class LineIndexTests
{
    [Fact]
    public void Every_kind_of_line_break_starts_a_line()
    {
        var index = new LineIndex("a\nb\r\nc\rd");
        Assert.Equal(4, index.LineCount);
        Assert.Equal([0, 2, 5, 7], Enumerable.Range(0, 4).Select(index.GetLineStart));
        Assert.Equal(new LinePosition(1, 1), index.GetPosition(3)); // the "\r" of "\r\n" ends line 1
        Assert.Equal(new LinePosition(2, 0), index.GetPosition(5));
        Assert.Equal(new LinePosition(3, 1), index.GetPosition(8));
    }

    [Fact]
    public void Characters_count_UTF16_units()
    {
        const string text = "é😀中x";
        Assert.Equal(new LinePosition(0, 4), new LineIndex(text).GetPosition(text.IndexOf('x')));
    }

    [Fact]
    public void Offsets_outside_the_text_are_clamped()
    {
        var index = new LineIndex("ab\ncd\n");
        Assert.Equal(new LinePosition(0, 0), index.GetPosition(-5));
        Assert.Equal(new LinePosition(2, 0), index.GetPosition(100));
        Assert.Equal(new LineRange(new LinePosition(1, 0), new LinePosition(1, 2)), index.GetRange(new TextSpan(3, 2)));
    }

    [Fact]
    public void Positions_convert_back_to_offsets_and_past_the_line_end_stop_before_the_break()
    {
        const string text = "ab\r\ncd";
        var index = new LineIndex(text);
        for (int offset = 0; offset <= text.Length; offset++)
        {
            if (offset == 3) continue; // between "\r" and "\n": not a position a client can name
            Assert.Equal(offset, index.GetOffset(index.GetPosition(offset), text));
        }
        Assert.Equal(2, index.GetOffset(new LinePosition(0, 99), text));
        Assert.Equal(text.Length, index.GetOffset(new LinePosition(9, 0), text));
        Assert.Equal(0, index.GetOffset(new LinePosition(-1, 3), text));
    }

    [Fact]
    public void An_empty_text_has_one_empty_line() =>
        Assert.Equal((1, new LinePosition(0, 0)), (new LineIndex("").LineCount, new LineIndex("").GetPosition(0)));
}
