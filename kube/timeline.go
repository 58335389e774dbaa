package kube

import (
	"slices"
	"time"
)

// CurvePoint is a rollout's progress at one time: nodes whose pod is of
// the current revision (updated), and of those, how many are available.
type CurvePoint struct {
	At                 time.Time
	Updated, Available int
}

// Curve is a rollout drawn over time: a step function from Start, one
// point per change.
type Curve struct {
	Start time.Time
	// Desired counts the nodes that should run a pod: the rollout is done
	// when that many are updated and available.
	Desired int
	Points  []CurvePoint
}

// counted says whether a row's node should run a pod of the DaemonSet:
// only those take part in a rollout.
func counted(r *NodeRow) bool {
	switch r.State {
	case StateIneligible, StateMisscheduled, StateOrphaned, StateUnknown:
		return false
	}
	return true
}

// ReconstructCurve draws a rollout's curve from what the pods of the
// current revision still say, so it starts at the rollout's beginning
// even when dsx started later: a node counts as updated from its pod's
// creation, and as available from its Ready transition plus
// minReadySeconds. start is the current revision's creation; earlier
// times are moved to it. Pods replaced since (a crash that made a new
// pod) count from the new pod's times: the curve is what the cluster
// remembers, never more.
func ReconstructCurve(rows []*NodeRow, start time.Time, minReady time.Duration, now time.Time) Curve {
	c := Curve{Start: start}
	type event struct {
		at                 time.Time
		updated, available int
	}
	var evs []event
	clamp := func(t time.Time) time.Time {
		if t.Before(start) {
			return start
		}
		return t
	}
	for _, r := range rows {
		if !counted(r) {
			continue
		}
		c.Desired++
		if r.Pod == "" || !r.CurrentRevision || r.State == StateTerminating {
			continue
		}
		created := clamp(r.Created)
		evs = append(evs, event{at: created, updated: 1})
		if !r.Available {
			continue
		}
		at := created
		if !r.ReadySince.IsZero() {
			at = clamp(r.ReadySince.Add(minReady))
		}
		if at.After(now) {
			// The clock of the cluster and ours differ; never draw the future.
			at = now
		}
		evs = append(evs, event{at: at, available: 1})
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.at.Compare(b.at) })
	c.Points = append(c.Points, CurvePoint{At: start})
	for _, e := range evs {
		last := c.Points[len(c.Points)-1]
		p := CurvePoint{At: e.at, Updated: last.Updated + e.updated, Available: last.Available + e.available}
		if p.At.Equal(last.At) {
			c.Points[len(c.Points)-1] = p
			continue
		}
		c.Points = append(c.Points, p)
	}
	return c
}

// LiveCounts are a node view's updated and available nodes now, as
// ReconstructCurve counts them.
func LiveCounts(rows []*NodeRow) (updated, available int) {
	for _, r := range rows {
		if !counted(r) || r.Pod == "" || !r.CurrentRevision || r.State == StateTerminating {
			continue
		}
		updated++
		if r.Available {
			available++
		}
	}
	return updated, available
}

// Extend is the curve with the live samples seen since dsx watched it
// (times ascending): the reconstruction up to the first sample, then the
// samples, which also show what the pods no longer say (a node that
// stopped being available).
func (c Curve) Extend(live []CurvePoint) Curve {
	if len(live) == 0 {
		return c
	}
	out := Curve{Start: c.Start, Desired: c.Desired}
	for _, p := range c.Points {
		if !p.At.Before(live[0].At) {
			break
		}
		out.Points = append(out.Points, p)
	}
	for _, p := range live {
		if p.At.Before(c.Start) {
			p.At = c.Start
		}
		if n := len(out.Points); n > 0 {
			last := out.Points[n-1]
			if last.Updated == p.Updated && last.Available == p.Available {
				continue
			}
			if p.At.Equal(last.At) {
				out.Points[n-1] = p
				continue
			}
		}
		out.Points = append(out.Points, p)
	}
	return out
}

// At is the curve's value at t: the last point at or before it.
func (c Curve) At(t time.Time) CurvePoint {
	var p CurvePoint
	for _, x := range c.Points {
		if x.At.After(t) {
			break
		}
		p = x
	}
	return p
}

// Last is the curve's latest point.
func (c Curve) Last() CurvePoint {
	if len(c.Points) == 0 {
		return CurvePoint{At: c.Start}
	}
	return c.Points[len(c.Points)-1]
}

// Done says every node that should run a pod is updated and available.
func (c Curve) Done() bool {
	l := c.Last()
	return l.Updated >= c.Desired && l.Available >= c.Desired
}

// Rate is nodes made available per minute over the last window (or since
// the start, when that is shorter): the pace that finishes a rollout.
func (c Curve) Rate(now time.Time, window time.Duration) float64 {
	from := now.Add(-window)
	if from.Before(c.Start) {
		from = c.Start
	}
	span := now.Sub(from)
	if span < time.Second {
		return 0
	}
	gained := c.At(now).Available - c.At(from).Available
	if gained <= 0 {
		return 0
	}
	return float64(gained) / span.Minutes()
}

// ETA is how long the remaining nodes take at rate nodes per minute; ok
// is false when no estimate can be made (no progress in the window).
func (c Curve) ETA(rate float64) (d time.Duration, ok bool) {
	left := c.Desired - c.Last().Available
	if left <= 0 {
		return 0, true
	}
	if rate <= 0 {
		return 0, false
	}
	return time.Duration(float64(left) / rate * float64(time.Minute)), true
}

// Stalled says the rollout has stopped moving at its own pace: no
// progress for three times the time one node takes at rate, and for at
// least ten seconds (rolling updates move in batches, so a pause of a few
// nodes' time between batches is normal). A rate-based ETA would then
// promise an end that the nodes holding it back do not give.
func (c Curve) Stalled(now time.Time, rate float64) bool {
	if rate <= 0 || c.Done() {
		return false
	}
	perNode := time.Duration(float64(time.Minute) / rate)
	return now.Sub(c.LastProgress()) > max(3*perNode, 10*time.Second)
}

// LastProgress is when either count last went up; the start when never.
func (c Curve) LastProgress() time.Time {
	t := c.Start
	for i := 1; i < len(c.Points); i++ {
		p, q := c.Points[i-1], c.Points[i]
		if q.Updated > p.Updated || q.Available > p.Available {
			t = q.At
		}
	}
	return t
}

// Holding are the first n nodes that hold a rollout back, worst state
// first, then by name: eligible nodes not yet current, with their
// reason; total counts them all.
func Holding(rows []*NodeRow, n int) (first []*NodeRow, total int) {
	var out []*NodeRow
	for _, r := range rows {
		if counted(r) && r.State != StateCurrent {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *NodeRow) int {
		if c := a.State.Rank() - b.State.Rank(); c != 0 {
			return c
		}
		return NaturalCompare(a.Node, b.Node)
	})
	total = len(out)
	if len(out) > n {
		out = out[:n]
	}
	return out, total
}
