package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// rateWindow is how far back the rate looks: long enough to smooth the
// controller's batches, short enough to follow a rollout that slows.
const rateWindow = 5 * time.Minute

// timelineView is a DaemonSet's rollout over time: nodes updated and
// available as a chart, the rate, an ETA, the time since the last
// progress and the first nodes that hold it back. The curve is
// reconstructed from the pods (kube.ReconstructCurve), so it starts at the
// rollout's beginning; the samples of every snapshot since extend it.
type timelineView struct {
	c        *common
	ns, name string
	view     *kube.NodeView
	ds       kube.DaemonSetRow
	// live are the counts seen in snapshots, for the revision rev.
	live []kube.CurvePoint
	rev  int64
	// unfocus: opened from the list, which has no node view to keep
	// current, so going back stops the node view's computation.
	unfocus bool
}

func newTimeline(c *common, ns, name string, view *kube.NodeView, ds kube.DaemonSetRow, unfocus bool) timelineView {
	t := timelineView{c: c, ns: ns, name: name, ds: ds, unfocus: unfocus}
	t.take(view)
	return t
}

// take keeps a new node view and its counts as a live sample.
func (t *timelineView) take(v *kube.NodeView) {
	t.view = v
	if v == nil {
		return
	}
	if v.CurrentRevision != t.rev {
		// Another rollout: the samples were of the last one.
		t.live, t.rev = nil, v.CurrentRevision
	}
	u, a := kube.LiveCounts(v.Rows)
	t.live = append(t.live, kube.CurvePoint{At: t.c.clock(), Updated: u, Available: a})
	if n := len(t.live); n > 2 && t.live[n-2].Updated == u && t.live[n-2].Available == a && t.live[n-3].Updated == u && t.live[n-3].Available == a {
		// Equal samples in a row: the middle one says nothing.
		t.live = append(t.live[:n-2], t.live[n-1])
	}
}

func (t timelineView) curve() kube.Curve {
	v := t.view
	start := v.RolloutStart
	if start.IsZero() {
		start = t.c.clock()
	}
	// Samples keep their own instants; only the labels move in steps.
	c := kube.ReconstructCurve(v.Rows, start, time.Duration(v.MinReadySeconds)*time.Second, t.c.clock())
	return c.Extend(t.live)
}

func (t timelineView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		s := msg.Snapshot
		for _, r := range s.DaemonSets {
			if r.Namespace == t.ns && r.Name == t.name {
				t.ds = r
			}
		}
		if s.Focus == t.ns+"/"+t.name {
			t.take(s.Detail)
		}
	case tea.KeyPressMsg:
		if key.Matches(msg, t.c.keys.Back) {
			if t.unfocus {
				return pop(), t.c.focus("", "")
			}
			return pop(), nil
		}
	}
	return t, nil
}

func (t timelineView) SetSize(int, int) View { return t }

func (t timelineView) Title() string {
	return fmt.Sprintf("%s/%s · rollout over time", t.ns, t.name)
}

func (t timelineView) Keys() []key.Binding { return []key.Binding{t.c.keys.Back} }

// View draws the header, the chart, its legend and what holds the
// rollout back, fitting the chart into what the rest leaves.
func (t timelineView) View(width, height int) string {
	// The exact clock: the chart and its rate are drawn against the
	// samples' own instants, which a step would put in the future.
	st, now := t.c.st, t.c.clock()
	if t.view == nil {
		return st.dim.Render(fit(fmt.Sprintf(" %s/%s: waiting for its nodes", t.ns, t.name), width, false))
	}
	c := t.curve()
	last := c.Last()
	rate := c.Rate(now, rateWindow)
	head := fmt.Sprintf(" Rollout to revision %d · started %s ago", t.view.CurrentRevision, age(now, c.Start))
	if t.view.CurrentRevision == 0 {
		head = " Rollout · revision pending: the controller has not yet made it"
	}
	if c.Done() {
		head += " · complete"
	}
	stats := fmt.Sprintf(" updated %d/%d · available %d/%d · %s", last.Updated, c.Desired, last.Available, c.Desired, rateText(rate))
	if !c.Done() {
		if eta, ok := c.ETA(rate); ok && !c.Stalled(now, rate) {
			stats += " · ETA " + etaText(eta)
		} else if ok {
			stats += " · ETA unknown (stopped: see what holds it back)"
		} else {
			stats += " · ETA unknown (no progress in " + shortDuration(rateWindow) + ")"
		}
		stats += " · last progress " + age(now, c.LastProgress()) + " ago"
	}
	out := []string{st.title.Render(fit(head, width, false)), fit(stats, width, false)}

	var tail []string
	first, total := kube.Holding(t.view.Rows, 8)
	if total > 0 {
		tail = append(tail, st.title.Render(fit(fmt.Sprintf(" Holding it back: %d nodes", total), width, false)))
		if t.view.Blocked != "" {
			tail = append(tail, st.bad.Render(fit(" rollout "+t.view.Blocked, width, false)))
		}
		nameW := 4
		for _, r := range first {
			nameW = max(nameW, len(r.Node))
		}
		nameW = min(nameW, max(width/3, 8))
		for _, r := range first {
			line := fit(fmt.Sprintf("  %-*s %-15s %s", nameW, fit(r.Node, nameW, false), stateText(r.State), r.Reason), width, false)
			if r.State == kube.StateFailed || r.State == kube.StateMissing {
				line = st.bad.Render(line)
			} else {
				line = st.warn.Render(line)
			}
			tail = append(tail, line)
		}
	}
	legend := fit(" █ available  ▒ updated, not yet available", width, false)
	chartH := height - len(out) - len(tail) - 3
	if room := height - len(out) - 3 - 3; chartH < 3 && room > 2 {
		// The chart first: the list of nodes gives up lines.
		chartH = min(room, 3)
		tail = tail[:max(height-len(out)-3-chartH, 0)]
	}
	chartH = min(chartH, 16)
	if chartH >= 1 {
		for i, l := range rolloutChart(c, now, width, chartH) {
			switch {
			case i < chartH:
				out = append(out, colourChart(st, l))
			default:
				out = append(out, st.dim.Render(l))
			}
		}
		out = append(out, st.dim.Render(legend))
	}
	out = append(out, tail...)
	if len(out) > height {
		out = out[:max(height, 0)]
	}
	return strings.Join(out, "\n")
}

// colourChart gives the two series their colours; the glyphs alone tell
// them apart, so NO_COLOR loses nothing.
func colourChart(st styles, l string) string {
	var b strings.Builder
	run, runGlyph := 0, rune(0)
	flush := func() {
		if run == 0 {
			return
		}
		s := strings.Repeat(string(runGlyph), run)
		switch runGlyph {
		case '█':
			s = st.good.Render(s)
		case '▒':
			s = st.warn.Render(s)
		}
		b.WriteString(s)
		run = 0
	}
	for _, r := range l {
		if r != runGlyph {
			flush()
			runGlyph = r
		}
		run++
	}
	flush()
	return b.String()
}

func rateText(perMin float64) string {
	switch {
	case perMin == 0:
		return "0 nodes/min"
	case perMin >= 10:
		return strconv.FormatFloat(math.Round(perMin), 'f', 0, 64) + " nodes/min"
	}
	return strconv.FormatFloat(perMin, 'f', 1, 64) + " nodes/min"
}

// etaText rounds an estimate to what it is worth: seconds under a minute,
// minutes under an hour.
func etaText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return shortDuration(d.Round(time.Second))
	case d < time.Hour:
		return shortDuration(d.Round(time.Minute))
	}
	return shortDuration(d.Round(10 * time.Minute))
}

// rolloutChart draws the curve from its start to now in width×height
// cells plus two lines of axis: per column, the value at the column's
// end; available nodes as █, updated ones not yet available as ▒ above
// them. The y axis is 0 to the nodes that should run a pod.
func rolloutChart(c kube.Curve, now time.Time, width, height int) []string {
	top := strconv.Itoa(c.Desired)
	lw := len(top)
	cols := width - lw - 3
	if cols < 2 || height < 1 {
		return nil
	}
	span := now.Sub(c.Start)
	ups, avs := make([]int, cols), make([]int, cols)
	scale := func(v int) int {
		if c.Desired <= 0 || v <= 0 {
			return 0
		}
		n := int(math.Round(float64(v) * float64(height) / float64(c.Desired)))
		return min(max(n, 1), height)
	}
	for i := range cols {
		at := c.Start.Add(time.Duration(float64(span) * float64(i+1) / float64(cols)))
		p := c.At(at)
		avs[i], ups[i] = scale(p.Available), scale(max(p.Updated, p.Available))
	}
	lines := make([]string, 0, height+2)
	for row := height - 1; row >= 0; row-- {
		label := ""
		switch row {
		case height - 1:
			label = top
		case 0:
			label = "0"
		}
		var b strings.Builder
		fmt.Fprintf(&b, " %*s │", lw, label)
		for i := range cols {
			switch {
			case row < avs[i]:
				b.WriteString("█")
			case row < ups[i]:
				b.WriteString("▒")
			default:
				b.WriteByte(' ')
			}
		}
		lines = append(lines, b.String())
	}
	lines = append(lines, " "+strings.Repeat(" ", lw)+" └"+strings.Repeat("─", cols))
	left := "-" + shortDuration(span.Round(time.Second))
	if span <= 0 {
		left = "0s"
	}
	gap := cols - len(left) - len("now")
	axis := " " + strings.Repeat(" ", lw+2) + left
	if gap > 0 {
		axis += strings.Repeat(" ", gap) + "now"
	}
	lines = append(lines, fit(axis, width, false))
	return lines
}
