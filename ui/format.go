package ui

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
)

// age formats like kubectl's AGE column.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return duration.HumanDuration(d)
}

// objectAge is age for the lists (DaemonSets, nodes, and the pods of the
// node views): whole minutes from two minutes on, where kubectl counts
// seconds up to ten. These lists are the screen left open in a tmux pane;
// in seconds, an object's first ten minutes would redraw it and send its
// age column down the link at every tick of the clock (after a rollout,
// every visible row's), to say what no one reads off the list. The
// first two minutes, when a new object's or pod's age does say
// something, keep their seconds.
func objectAge(now, t time.Time) string {
	if d := now.Sub(t); !t.IsZero() && d >= 2*time.Minute && d < 10*time.Minute {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return age(now, t)
}

// wallTime is when t was on this machine's clock, in its time zone:
// 22:41:07 today, "Dec 6 22:41:07" before. The status bar's last event
// reads as one: it says how fresh the data is as an age would, is what a
// timeline of an incident is written in, and stays put on an idle screen
// where an age would redraw it (and send it down the link) as it grows.
func wallTime(now, t time.Time) string {
	t, now = t.Local(), now.Local()
	ty, tm, td := t.Date()
	if ny, nm, nd := now.Date(); ty == ny && tm == nm && td == nd {
		return t.Format("15:04:05")
	}
	return t.Format("Jan 2 15:04:05")
}

// shortDuration is d as people write it: 2m, not 2m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
