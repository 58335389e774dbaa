package kube

import (
	"testing"
	"time"
)

// A rollout whose counts stay put for StallAfter is stalled; any change
// of counts restarts the clock; a finished one is complete, and only a
// rollout in progress asks for periodic snapshots.
func TestStallTracker(t *testing.T) {
	base := DaemonSetRow{Namespace: "ns", Name: "a", Desired: 3, Current: 3, Ready: 3, UpToDate: 1, Available: 3, Observed: true}
	moved := base
	moved.UpToDate = 2
	done := base
	done.UpToDate = 3
	steps := []struct {
		at      time.Duration
		row     DaemonSetRow
		mark    string
		rolling bool
	}{
		{0, base, MarkRolling, true},
		{59 * time.Second, base, MarkRolling, true},
		{60 * time.Second, base, MarkStalled, false},
		{61 * time.Second, moved, MarkRolling, true},
		{120 * time.Second, moved, MarkRolling, true},
		{121 * time.Second, moved, MarkStalled, false},
		{122 * time.Second, done, MarkComplete, false},
	}
	s := newStallTracker(time.Minute)
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, st := range steps {
		rows := []DaemonSetRow{st.row}
		rolling := s.mark(rows, t0.Add(st.at))
		if rows[0].Mark != st.mark || rolling != st.rolling {
			t.Fatalf("at %s: mark %s rolling %v, want %s %v", st.at, rows[0].Mark, rolling, st.mark, st.rolling)
		}
	}
	// Edited after a long rest: the controller has not seen the new spec
	// and no count has moved, but the rollout has only begun.
	s = newStallTracker(time.Minute)
	edited := done
	edited.Observed = false
	for _, st := range []struct {
		at   time.Duration
		row  DaemonSetRow
		mark string
	}{
		{0, done, MarkComplete},
		{10 * time.Minute, edited, MarkRolling},
		{10*time.Minute + 59*time.Second, edited, MarkRolling},
		{11 * time.Minute, edited, MarkStalled},
	} {
		rows := []DaemonSetRow{st.row}
		if s.mark(rows, t0.Add(st.at)); rows[0].Mark != st.mark {
			t.Fatalf("edited, at %s: mark %s, want %s", st.at, rows[0].Mark, st.mark)
		}
	}
	// A DaemonSet that leaves and comes back starts afresh.
	s.mark(nil, t0.Add(200*time.Second))
	rows := []DaemonSetRow{base}
	if s.mark(rows, t0.Add(400*time.Second)); rows[0].Mark != MarkRolling {
		t.Fatalf("returning DaemonSet marked %s, want rolling", rows[0].Mark)
	}
}
