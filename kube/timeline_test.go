package kube

import (
	"reflect"
	"testing"
	"time"
)

var curveT0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func minute(m int) time.Time { return curveT0.Add(time.Duration(m) * time.Minute) }

func TestReconstructCurve(t *testing.T) {
	upd := func(node string, created, ready int) *NodeRow {
		r := &NodeRow{Node: node, State: StateCurrent, Pod: node + "-pod", CurrentRevision: true, Created: minute(created)}
		if ready > -100 {
			r.Ready, r.Available, r.ReadySince = true, true, minute(ready)
		} else {
			r.State = StateProgressing
		}
		return r
	}
	old := &NodeRow{Node: "old", State: StateOutdated, Pod: "old-pod", Created: minute(-60), Ready: true, Available: true, ReadySince: minute(-59)}
	inel := &NodeRow{Node: "inel", State: StateIneligible}
	missing := &NodeRow{Node: "miss", State: StateMissing}
	for _, tc := range []struct {
		name     string
		rows     []*NodeRow
		minReady time.Duration
		want     []CurvePoint
		desired  int
	}{
		{"empty rollout", []*NodeRow{old, inel, missing}, 0, []CurvePoint{{minute(0), 0, 0}}, 2},
		{"three nodes in order", []*NodeRow{upd("a", 1, 2), upd("b", 3, 4), upd("c", 5, -999), old, inel}, 0,
			[]CurvePoint{{minute(0), 0, 0}, {minute(1), 1, 0}, {minute(2), 1, 1}, {minute(3), 2, 1}, {minute(4), 2, 2}, {minute(5), 3, 2}}, 4},
		{"minReadySeconds delays available", []*NodeRow{upd("a", 1, 2)}, time.Minute,
			[]CurvePoint{{minute(0), 0, 0}, {minute(1), 1, 0}, {minute(3), 1, 1}}, 1},
		{"times before the start are moved to it", []*NodeRow{upd("a", -5, -4), upd("b", 2, 2)}, 0,
			[]CurvePoint{{minute(0), 1, 1}, {minute(2), 2, 2}}, 2},
		{"same instant merges", []*NodeRow{upd("a", 1, 1), upd("b", 1, 3)}, 0,
			[]CurvePoint{{minute(0), 0, 0}, {minute(1), 2, 1}, {minute(3), 2, 2}}, 2},
		{"terminating pods do not count", []*NodeRow{{Node: "t", State: StateTerminating, Pod: "t", CurrentRevision: true, Created: minute(1)}}, 0,
			[]CurvePoint{{minute(0), 0, 0}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ReconstructCurve(tc.rows, minute(0), tc.minReady, minute(30))
			if !reflect.DeepEqual(c.Points, tc.want) || c.Desired != tc.desired {
				t.Errorf("points %v desired %d, want %v %d", c.Points, c.Desired, tc.want, tc.desired)
			}
			u, a := LiveCounts(tc.rows)
			if l := c.Last(); l.Updated != u || l.Available != a {
				t.Errorf("last point %v, live counts %d/%d", l, u, a)
			}
		})
	}
	// A ready time past now (clock skew) is drawn at now.
	r := upd("a", 1, 40)
	if c := ReconstructCurve([]*NodeRow{r}, minute(0), 0, minute(30)); c.Last().At != minute(30) {
		t.Errorf("future point at %v", c.Last().At)
	}
}

func TestCurveRateETA(t *testing.T) {
	c := Curve{Start: minute(0), Desired: 10, Points: []CurvePoint{{minute(0), 0, 0}, {minute(1), 2, 1}, {minute(2), 4, 3}, {minute(6), 6, 5}}}
	for _, tc := range []struct {
		now    int
		window time.Duration
		rate   float64
		eta    time.Duration
		etaOK  bool
	}{
		{now: 6, window: 5 * time.Minute, rate: 4.0 / 5, eta: time.Duration(5 / 0.8 * float64(time.Minute)), etaOK: true},
		{now: 2, window: 5 * time.Minute, rate: 3.0 / 2, eta: time.Duration(5 / 1.5 * float64(time.Minute)), etaOK: true},
		{now: 20, window: 5 * time.Minute, rate: 0, etaOK: false},
		{now: 0, window: 5 * time.Minute, rate: 0, etaOK: false},
	} {
		rate := c.Rate(minute(tc.now), tc.window)
		if d := rate - tc.rate; d > 1e-9 || d < -1e-9 {
			t.Errorf("now %d: rate %v, want %v", tc.now, rate, tc.rate)
		}
		eta, ok := c.ETA(rate)
		if ok != tc.etaOK || (ok && (eta-tc.eta).Abs() > time.Millisecond) {
			t.Errorf("now %d: eta %v %v, want %v %v", tc.now, eta, ok, tc.eta, tc.etaOK)
		}
	}
	// Last progress at minute 6, 0.8 nodes a minute (75 s a node): the
	// pace allows 225 s without progress before calling it stalled.
	for _, tc := range []struct {
		since   time.Duration
		rate    float64
		stalled bool
	}{
		{since: 200 * time.Second, rate: 0.8, stalled: false},
		{since: 230 * time.Second, rate: 0.8, stalled: true},
		// Fast rollouts: the ten-second floor rides out the batches.
		{since: 8 * time.Second, rate: 78, stalled: false},
		{since: 20 * time.Second, rate: 78, stalled: true},
		// Without a rate there is no pace to fall behind (ETA says why).
		{since: time.Hour, rate: 0, stalled: false},
	} {
		if got := c.Stalled(minute(6).Add(tc.since), tc.rate); got != tc.stalled {
			t.Errorf("%v after the last progress at %v/min: stalled %v, want %v", tc.since, tc.rate, got, tc.stalled)
		}
	}
	if done := (Curve{Start: minute(0), Desired: 1, Points: []CurvePoint{{minute(0), 0, 0}, {minute(1), 1, 1}}}); done.Stalled(minute(60), 5) {
		t.Error("a finished rollout is not stalled")
	}
	if lp := c.LastProgress(); lp != minute(6) {
		t.Errorf("last progress %v", lp)
	}
	done := Curve{Start: minute(0), Desired: 1, Points: []CurvePoint{{minute(0), 0, 0}, {minute(1), 1, 1}}}
	if eta, ok := done.ETA(0); !ok || eta != 0 || !done.Done() || c.Done() {
		t.Errorf("done: eta %v %v done %v, c.Done %v", eta, ok, done.Done(), c.Done())
	}
}

func TestCurveExtend(t *testing.T) {
	c := Curve{Start: minute(0), Desired: 3, Points: []CurvePoint{{minute(0), 0, 0}, {minute(1), 1, 1}, {minute(5), 2, 2}}}
	for _, tc := range []struct {
		name string
		live []CurvePoint
		want []CurvePoint
	}{
		{"no samples", nil, c.Points},
		{"samples after the reconstruction", []CurvePoint{{minute(6), 2, 2}, {minute(7), 3, 2}, {minute(8), 3, 2}, {minute(9), 3, 1}},
			[]CurvePoint{{minute(0), 0, 0}, {minute(1), 1, 1}, {minute(5), 2, 2}, {minute(7), 3, 2}, {minute(9), 3, 1}}},
		{"samples replace the reconstruction from their start", []CurvePoint{{minute(3), 1, 0}, {minute(4), 2, 1}},
			[]CurvePoint{{minute(0), 0, 0}, {minute(1), 1, 1}, {minute(3), 1, 0}, {minute(4), 2, 1}}},
	} {
		if got := c.Extend(tc.live).Points; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestHolding(t *testing.T) {
	rows := []*NodeRow{
		{Node: "n-10", State: StateProgressing, Reason: "crash"},
		{Node: "n-2", State: StateProgressing},
		{Node: "n-1", State: StateCurrent},
		{Node: "n-3", State: StateFailed},
		{Node: "n-4", State: StateIneligible},
		{Node: "n-5", State: StateOutdated},
		{Node: "n-6", State: StateMisscheduled},
	}
	first, total := Holding(rows, 3)
	var names []string
	for _, r := range first {
		names = append(names, r.Node)
	}
	if want := []string{"n-3", "n-2", "n-10"}; !reflect.DeepEqual(names, want) || total != 4 {
		t.Errorf("holding %v (%d), want %v (4)", names, total, want)
	}
}
