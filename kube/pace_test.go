package kube

import (
	"testing"
	"time"
)

// The pacing decision: the rest of the interval since the last snapshot,
// two seconds while a rollout moves, nothing for a new focus.
func TestPace(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for _, c := range []struct {
		name             string
		min, since       time.Duration
		rolling, refocus bool
		want             time.Duration
	}{
		{"quiet, within the interval", ms(100), ms(30), false, false, ms(70)},
		{"quiet, interval over", ms(100), ms(250), false, false, 0},
		{"quiet, never a negative wait", ms(100), time.Hour, false, false, 0},
		// The old pacing let a snapshot through 250 ms after the last,
		// then 1 s.
		{"rolling, 250 ms after the last", ms(100), ms(250), true, false, ms(1750)},
		{"rolling, just after the last", ms(100), ms(10), true, false, ms(1990)},
		{"rolling, a second after the last", ms(100), time.Second, true, false, time.Second},
		{"rolling, two seconds after the last", ms(100), 2 * time.Second, true, false, 0},
		{"rolling, a refresh longer than the rollout's", 5 * time.Second, time.Second, true, false, 4 * time.Second},
		{"rolling, a new focus", ms(100), ms(10), true, true, 0},
		{"quiet, a new focus", ms(100), ms(10), false, true, 0},
	} {
		if got := pace(c.min, c.since, c.rolling, c.refocus); got != c.want {
			t.Errorf("%s: pace(%s, %s, rolling %v, refocus %v) = %s, want %s", c.name, c.min, c.since, c.rolling, c.refocus, got, c.want)
		}
	}
	if RolloutInterval < 2*time.Second {
		t.Errorf("RolloutInterval = %s: a rollout would paint more often than k9s's 2 s refresh", RolloutInterval)
	}
}
