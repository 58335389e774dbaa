package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Clock redraws what only time changes: ages, "last event … ago",
// "disconnected for …". Every redraw costs more than drawing: Bubble Tea
// keeps its frame ticker running for half a second after each one, which
// on an idle list was three quarters of dsx's CPU. So a tick whose frame
// is the one already on screen is dropped before it reaches Update, and
// costs one View.
//
// Its filter and its ticks both run on Bubble Tea's event loop, so shown
// needs no lock.
type Clock struct {
	every time.Duration
	// shown is the frame the last passed tick drew, or "" when another
	// message may have drawn since.
	shown string
}

// NewClock ticks every d (5 s when d is 0).
func NewClock(d time.Duration) *Clock {
	if d <= 0 {
		d = 5 * time.Second
	}
	return &Clock{every: d}
}

// Run sends a tick at every multiple of the period until ctx ends: the
// instants the times on screen step to (common.now), so a tick draws them
// fresh. The ticks come from here and not from a tea.Tick that Update
// renews, because a dropped tick never reaches Update.
func (c *Clock) Run(ctx context.Context, send func(tea.Msg)) {
	t := time.NewTimer(untilStep(time.Now(), c.every))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case at := <-t.C:
			send(tickMsg(at))
			t.Reset(untilStep(time.Now(), c.every))
		}
	}
}

// untilStep is the wait from now to the next multiple of step.
func untilStep(now time.Time, step time.Duration) time.Duration {
	return now.Truncate(step).Add(step).Sub(now)
}

// Filter is for tea.WithFilter. A tick passes when its frame differs from
// the one the previous passed tick drew, or when any other message came
// between them: that message's frame, not the tick's, is on screen, and
// it was drawn at another instant.
func (c *Clock) Filter(m tea.Model, msg tea.Msg) tea.Msg {
	if _, ok := msg.(tickMsg); !ok {
		c.shown = ""
		return msg
	}
	frame := m.View().Content
	if c.shown != "" && frame == c.shown {
		return nil
	}
	c.shown = frame
	return msg
}
