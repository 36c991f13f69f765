using System.Collections;
using System.Collections.Immutable;

namespace CertLsp.Bacnet;

/// <summary>An immutable array that compares by content, so records holding lists compare by value.</summary>
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
{
    private readonly ImmutableArray<T> items;

    public EquatableArray(ImmutableArray<T> items) => this.items = items.IsDefault ? [] : items;

    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);
    public static implicit operator EquatableArray<T>(T[] items) => new([.. items]);

    public ImmutableArray<T> Items => items.IsDefault ? [] : items;
    public int Count => Items.Length;
    public T this[int index] => Items[index];

    public bool Equals(EquatableArray<T> other) => Items.SequenceEqual(other.Items);
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);
    public override int GetHashCode() => Count;
    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);
    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", Items)}]";
}
