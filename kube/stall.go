package kube

import "time"

// stallTracker tells a rollout that moves from one that has stopped: it
// remembers when each DaemonSet's counts last changed. Pure: the caller
// passes the time, so a table test replaces live timers.
type stallTracker struct {
	// after is how long counts may stay put before a rollout is stalled.
	after    time.Duration
	progress map[string]progressMark
}

// progressMark remembers when a rollout last moved.
type progressMark struct {
	counts [5]int64
	since  time.Time
}

func newStallTracker(after time.Duration) *stallTracker {
	return &stallTracker{after: after, progress: map[string]progressMark{}}
}

// mark sets each row's rollout mark at now and reports whether some
// rollout is in progress (then snapshots must come periodically too, so
// that one that stops moving is seen to stall). DaemonSets no longer in
// rows are forgotten.
func (s *stallTracker) mark(rows []DaemonSetRow, now time.Time) (rolling bool) {
	keep := make(map[string]progressMark, len(rows))
	for i := range rows {
		r := &rows[i]
		k := r.Key()
		// A new spec the controller has not seen yet is a rollout that
		// starts now, though no count has moved: without Observed a long
		// quiet DaemonSet read as stalled the moment it was edited.
		observed := int64(0)
		if r.Observed {
			observed = 1
		}
		c := [5]int64{int64(r.UpToDate), int64(r.Available), int64(r.Ready), int64(r.Desired), observed}
		pm, ok := s.progress[k]
		if !ok || pm.counts != c {
			pm = progressMark{counts: c, since: now}
		}
		keep[k] = pm
		r.Mark = RolloutMark(*r, now.Sub(pm.since) >= s.after)
		if r.Mark == MarkRolling {
			rolling = true
		}
	}
	s.progress = keep
	return rolling
}
