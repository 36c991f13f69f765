using CertLsp.Bacnet.Transport;
using Xunit;

namespace CertLsp.Bacnet.Tests;

/// <summary>The waits of the client, the segment sender and the simulator run on the monotonic clock.</summary>
public sealed class DeadlineTests
{
    [Fact]
    public void A_deadline_after_nothing_has_passed_and_leaves_no_time()
    {
        var deadline = Deadline.After(TimeSpan.Zero);
        Assert.True(deadline.Passed);
        Assert.True(deadline.Left <= TimeSpan.Zero);
    }

    [Fact]
    public void A_deadline_counts_down_from_its_timeout()
    {
        var deadline = Deadline.After(TimeSpan.FromHours(1));
        Assert.False(deadline.Passed);
        Assert.InRange(deadline.Left, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        var soon = Deadline.After(TimeSpan.FromMilliseconds(30));
        Thread.Sleep(60);
        Assert.True(soon.Passed);
        Assert.True(soon.Left < TimeSpan.Zero);
    }
}
