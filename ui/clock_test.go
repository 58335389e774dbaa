package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
)

// A tick reaches Update only when the frame it would draw is not the one
// on screen.
func TestClockDropsUnchangedTicks(t *testing.T) {
	now := fixedNow
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: sampleSnapshot()}), tea.WindowSizeMsg{Width: 120, Height: 30})
	c := NewClock(0)
	tick := tickMsg(now)
	passes := func(step string, msg tea.Msg, want bool) {
		t.Helper()
		if got := c.Filter(m, msg) != nil; got != want {
			t.Errorf("%s: passed %v, want %v", step, got, want)
		}
	}
	// The test holds only if time shows on this screen at all.
	before := m.View().Content
	now = now.Add(10 * 24 * time.Hour)
	if m.View().Content == before {
		t.Fatal("the frame does not change in ten days; nothing here shows time")
	}
	now = fixedNow

	passes("first tick", tick, true)
	passes("same frame", tick, false)
	now = now.Add(time.Millisecond)
	passes("a millisecond later, the same text", tick, false)
	// A key redraws at its own instant: the tick after it passes once.
	passes("key", keyPress("j"), true)
	passes("first tick after the key", tick, true)
	passes("and the next, unchanged", tick, false)
	now = now.Add(10 * 24 * time.Hour)
	passes("ten days later", tick, true)
	passes("then unchanged", tick, false)
}

// Run ticks at its period and stops with its context.
func TestClockRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan tea.Msg)
	done := make(chan struct{})
	go func() {
		NewClock(time.Millisecond).Run(ctx, func(msg tea.Msg) { got <- msg })
		close(done)
	}()
	for range 3 {
		select {
		case msg := <-got:
			if _, ok := msg.(tickMsg); !ok {
				t.Fatalf("sent %T, want a tick", msg)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no tick in 10 s")
		}
	}
	cancel()
	// A tick already due may still be sent; take it so Run can see ctx.
	for {
		select {
		case <-got:
			continue
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not stop with its context")
		}
		break
	}
}

// The status bar's "last event … ago" counts seconds only in its first
// minute, so that a quiet cluster's screen changes once a minute.
func TestRoughAge(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"},
		{0, "0s"},
		{59*time.Second + 999*time.Millisecond, "59s"},
		{time.Minute, "1m"},
		{4*time.Minute + 14*time.Second, "4m"},
		{59*time.Minute + 59*time.Second, "59m"},
		{time.Hour, "1h"},
		{23*time.Hour + 59*time.Minute, "23h"},
		{24 * time.Hour, "1d"},
		{400 * 24 * time.Hour, "400d"},
	} {
		if got := roughAge(fixedNow, fixedNow.Add(-c.d)); got != c.want {
			t.Errorf("roughAge(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

// The clock ticks on the steps the times on screen move to.
func TestUntilStep(t *testing.T) {
	for _, c := range []struct {
		at   time.Duration // past fixedNow, which is on a step
		want time.Duration
	}{
		{0, 5 * time.Second},
		{time.Millisecond, 5*time.Second - time.Millisecond},
		{4*time.Second + 999*time.Millisecond, time.Millisecond},
		{7 * time.Second, 3 * time.Second},
	} {
		if got := untilStep(fixedNow.Add(c.at), 5*time.Second); got != c.want {
			t.Errorf("at +%s: %s, want %s", c.at, got, c.want)
		}
	}
}

// Between two steps the times on screen stay put, whatever else redraws:
// a snapshot a second later shows its change and the same ages.
func TestTimesMoveInSteps(t *testing.T) {
	now := fixedNow.Add(time.Second)
	snap := sampleSnapshot()
	snap.LastEvent = fixedNow.Add(-2 * time.Second)
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: snap, AgeStep: 5 * time.Second}), tea.WindowSizeMsg{Width: 120, Height: 30})
	if !strings.Contains(m.View().Content, "last event 2s ago") {
		t.Fatalf("at +1s the status bar should count from the step at +0s:\n%s", m.View().Content)
	}
	now = fixedNow.Add(4*time.Second + 999*time.Millisecond)
	if !strings.Contains(m.View().Content, "last event 2s ago") {
		t.Errorf("at +4.999s, still the step at +0s:\n%s", m.View().Content)
	}
	now = fixedNow.Add(5 * time.Second)
	if !strings.Contains(m.View().Content, "last event 7s ago") {
		t.Errorf("at +5s, the next step:\n%s", m.View().Content)
	}
	// Without a step, the times are exact.
	now = fixedNow.Add(time.Second)
	m = drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: snap}), tea.WindowSizeMsg{Width: 120, Height: 30})
	if !strings.Contains(m.View().Content, "last event 3s ago") {
		t.Errorf("no step: want the exact age:\n%s", m.View().Content)
	}
}
