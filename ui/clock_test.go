package ui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

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

// The status bar's last event is a time of day, with the date once it
// is not today's: it stays put on an idle screen.
func TestWallTime(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{fixedNow, "12:00:00"},
		{fixedNow.Add(-2 * time.Second), "11:59:58"},
		{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), "00:00:00"},
		{time.Date(2026, 11, 27, 23, 59, 59, 0, time.UTC), "Nov 27 23:59:59"},
		{time.Date(2025, 11, 28, 12, 0, 0, 0, time.UTC), "Nov 28 12:00:00"},
	} {
		if got := wallTime(fixedNow, c.t); got != c.want {
			t.Errorf("wallTime(%s) = %q, want %q", c.t, got, c.want)
		}
	}
	// In the machine's time zone, where its date may differ from UTC's.
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("UTC+13", 13*3600)
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	if got := wallTime(now, time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)); got != "12:30:00" {
		t.Errorf("at UTC+13: %q, want 12:30:00 (the same local day, not the same UTC one)", got)
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
	// node-exporter is 45 s old at fixedNow.
	ageIs := func(m tea.Model, want string) bool {
		return regexp.MustCompile(`(?m)^monitoring\s+node-exporter\s.*\s` + want + `\s`).MatchString(ansi.Strip(m.View().Content))
	}
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: snap, AgeStep: 5 * time.Second}), tea.WindowSizeMsg{Width: 120, Height: 30})
	if !ageIs(m, "45s") {
		t.Fatalf("at +1s the ages should count from the step at +0s:\n%s", m.View().Content)
	}
	now = fixedNow.Add(4*time.Second + 999*time.Millisecond)
	if !ageIs(m, "45s") {
		t.Errorf("at +4.999s, still the step at +0s:\n%s", m.View().Content)
	}
	now = fixedNow.Add(5 * time.Second)
	if !ageIs(m, "50s") {
		t.Errorf("at +5s, the next step:\n%s", m.View().Content)
	}
	// Without a step, the times are exact.
	now = fixedNow.Add(time.Second)
	m = drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: snap}), tea.WindowSizeMsg{Width: 120, Height: 30})
	if !ageIs(m, "46s") {
		t.Errorf("no step: want the exact age:\n%s", m.View().Content)
	}
}

func TestObjectAge(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{119 * time.Second, "119s"},
		{2 * time.Minute, "2m"},
		{3*time.Minute + 12*time.Second, "3m"},
		{9*time.Minute + 59*time.Second, "9m"},
		{10*time.Minute + 30*time.Second, "10m"},
		{4*time.Hour + 5*time.Minute, "4h5m"},
		{3 * 24 * time.Hour, "3d"},
	} {
		if got := objectAge(fixedNow, fixedNow.Add(-c.d)); got != c.want {
			t.Errorf("objectAge(%s) = %q, want %q", c.d, got, c.want)
		}
	}
	if got := objectAge(fixedNow, time.Time{}); got != "<unknown>" {
		t.Errorf("objectAge(zero) = %q", got)
	}
}

// A DaemonSet list whose newest DaemonSet is a few minutes old, at rest,
// draws the same frame from one step of the clock to the next, so the
// clock's filter drops the tick: nothing is redrawn or sent.
func TestYoungListAtRestHoldsItsFrame(t *testing.T) {
	now := fixedNow
	snap := sampleSnapshot()
	snap.LastEvent = fixedNow.Add(-2 * time.Minute)
	snap.DaemonSets[5].Created = fixedNow.Add(-3*time.Minute - 12*time.Second)
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: snap, AgeStep: 5 * time.Second}), tea.WindowSizeMsg{Width: 120, Height: 30})
	before := m.View().Content
	for _, step := range []time.Duration{5 * time.Second, 10 * time.Second, 40 * time.Second} {
		now = fixedNow.Add(step)
		if after := m.View().Content; after != before {
			t.Fatalf("the frame changed %s later:\n%s\nwas\n%s", step, after, before)
		}
	}
	now = fixedNow.Add(50 * time.Second)
	if after := m.View().Content; after == before {
		t.Fatalf("the age did not move to the next minute:\n%s", after)
	}
}

// The node view's pods count whole minutes from two minutes on too: after
// a rollout every visible pod is a few minutes old, and seconds would
// redraw the AGE column of every row at each tick of the clock.
func TestYoungPodsAtRestHoldTheFrame(t *testing.T) {
	now := fixedNow
	snap := sampleSnapshot()
	snap.LastEvent = fixedNow.Add(-2 * time.Minute)
	snap.Focus = "logging/log-shipper-with-a-very-long-name-for-truncation"
	nv := sampleNodeView()
	nv.Name = "log-shipper-with-a-very-long-name-for-truncation"
	for _, r := range nv.Rows {
		if r.Pod != "" {
			r.Created = fixedNow.Add(-3*time.Minute - 12*time.Second)
		}
	}
	snap.Detail = nv
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return now }, Initial: snap, AgeStep: 5 * time.Second}), tea.WindowSizeMsg{Width: 120, Height: 30})
	m = pressKeys(t, m, "j", "j", "j", "enter")
	before := m.View().Content
	if !strings.Contains(before, "general-0") || !strings.Contains(before, " 3m ") {
		t.Fatalf("no node view with 3m-old pods:\n%s", before)
	}
	for _, step := range []time.Duration{5 * time.Second, 10 * time.Second, 40 * time.Second} {
		now = fixedNow.Add(step)
		if after := m.View().Content; after != before {
			t.Fatalf("the frame changed %s later:\n%s\nwas\n%s", step, after, before)
		}
	}
	now = fixedNow.Add(50 * time.Second)
	if after := m.View().Content; after == before || !strings.Contains(after, " 4m ") {
		t.Fatalf("the pods' age did not move to the next minute:\n%s", after)
	}
}
