package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/kube"
)

// Fleeter starts a fleet watcher on the contexts a selection names
// ("all", a glob such as prod-*, or a comma-separated list);
// kube.Session is the real one.
type Fleeter interface {
	StartFleet(ctx context.Context, spec string) (FleetSource, error)
}

// FleetSource delivers fleet snapshots until Stop.
type FleetSource interface {
	Next(ctx context.Context) (kube.FleetSnapshot, error)
	Snapshot() kube.FleetSnapshot
	Stop()
}

// fleetMsg is a fleet snapshot; gen tells a stopped fleet's late ones
// from the current fleet's.
type fleetMsg struct {
	gen  int
	snap kube.FleetSnapshot
}

// fleetStartedMsg answers a request to start a fleet.
type fleetStartedMsg struct {
	spec string
	src  FleetSource
	err  error
}

// drillRequest asks the root to open one cluster's node view of one
// DaemonSet over the fleet.
type drillRequest struct {
	context, namespace, name string
}

// fleetView is the same DaemonSets across many clusters: one row per
// DaemonSet and a column per cluster, or transposed, one row per cluster
// and a column per DaemonSet. The selection is a (DaemonSet, cluster)
// pair, whichever way the table is drawn.
type fleetView struct {
	c    *common
	spec string
	snap kube.FleetSnapshot
	tab  kube.FleetTable
	// rows are the table's rows the filter and problems-only keep.
	rows         []kube.FleetRow
	hl           map[string][]int
	filter       input
	problemsOnly bool
	// transpose is nil while the layout follows the width, else the
	// user's choice.
	transpose *bool
	// selKey and selCluster are the selected DaemonSet and cluster.
	selKey     string
	selCluster int
	rowScroll  scroller
	colOff     int
	width      int
	height     int
}

func newFleet(c *common, spec string, snap kube.FleetSnapshot) fleetView {
	v := fleetView{c: c, spec: spec, filter: newInput()}
	v.setSnapshot(snap)
	return v
}

func (v *fleetView) setSnapshot(s kube.FleetSnapshot) {
	v.snap = s
	v.tab = kube.BuildFleetTable(s)
	v.refresh()
}

// refresh reapplies the filter and problems-only; the selection stays on
// its DaemonSet and cluster.
func (v *fleetView) refresh() {
	var base []kube.FleetRow
	for _, r := range v.tab.Rows {
		if v.problemsOnly && !r.Problem {
			continue
		}
		base = append(base, r)
	}
	targets := make([]string, len(base))
	for i, r := range base {
		targets[i] = r.Key()
	}
	idx, hl := match(v.filter.value(), targets)
	v.rows = v.rows[:0]
	v.hl = map[string][]int{}
	for _, i := range idx {
		v.rows = append(v.rows, base[i])
		if h := hl[i]; h != nil {
			v.hl[base[i].Key()] = h
		}
	}
	if v.filter.value() != "" && len(v.rows) > 0 {
		// Typing selects the best match.
		v.selKey = v.rows[0].Key()
	}
	v.selCluster = min(max(v.selCluster, 0), max(len(v.tab.Clusters)-1, 0))
	v.place()
}

// rowIndex is the selected DaemonSet's place in rows (0 when gone).
func (v fleetView) rowIndex() int {
	for i, r := range v.rows {
		if r.Key() == v.selKey {
			return i
		}
	}
	return 0
}

// place keeps the selection valid and in view, in both directions.
func (v *fleetView) place() {
	if len(v.rows) > 0 {
		v.selKey = v.rows[v.rowIndex()].Key()
	}
	lines, cols := len(v.rows), len(v.tab.Clusters)
	line, col := v.rowIndex(), v.selCluster
	if v.transposed() {
		lines, cols = cols, len(v.rows)
		line, col = col, line
	}
	v.rowScroll.setHeight(v.height - 3)
	v.rowScroll.setLen(lines)
	v.rowScroll.setPos(line)
	fit := v.visibleCols()
	if col < v.colOff {
		v.colOff = col
	}
	if col >= v.colOff+fit {
		v.colOff = col - fit + 1
	}
	v.colOff = max(min(v.colOff, cols-fit), 0)
}

// Widths of the table's parts.
const (
	fleetCellMin  = 12
	fleetCellMax  = 24
	fleetLabelMin = 14
	fleetLabelMax = 40
)

// cellWidth is the widest cell text, within bounds.
func (v fleetView) cellWidth() int {
	w := fleetCellMin
	for _, r := range v.tab.Rows {
		for _, c := range r.Cells {
			w = max(w, ansi.StringWidth(cellText(c)))
		}
	}
	return min(w, fleetCellMax)
}

// labelWidth is the widest row label of the given layout, within bounds.
func (v fleetView) labelWidth(transposed bool) int {
	w := fleetLabelMin
	if transposed {
		for _, c := range v.tab.Clusters {
			w = max(w, ansi.StringWidth(clusterLabel(c)))
		}
	} else {
		for _, r := range v.tab.Rows {
			w = max(w, ansi.StringWidth(rowLabel(r)))
		}
	}
	return min(w, fleetLabelMax)
}

// fleetTransposed says whether the clusters' column groups do not fit
// the width beside the DaemonSet names: the table is then drawn with a
// row per cluster.
func fleetTransposed(width, labelW, cellW, clusters int) bool {
	return labelW+clusters*(cellW+2) > width
}

func (v fleetView) transposed() bool {
	if v.transpose != nil {
		return *v.transpose
	}
	return fleetTransposed(v.width, v.labelWidth(false), v.cellWidth(), len(v.tab.Clusters))
}

// visibleCols is how many column groups fit beside the labels.
func (v fleetView) visibleCols() int {
	return max((v.width-v.labelWidth(v.transposed()))/(v.cellWidth()+2), 1)
}

func (v fleetView) SetSize(width, height int) View {
	v.width, v.height = width, height
	v.place()
	return v
}

func (v fleetView) typing() bool { return v.filter.editing }

func (v fleetView) inputLine(w int) string {
	return filterLine(v.c.st, v.c.keys, v.filter, w, "filter", "namespace/name")
}

func (v fleetView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case fleetMsg:
		v.setSnapshot(msg.snap)
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return v, nil
}

// moveLine and moveCol move the selection along the drawn lines and
// columns, whichever of DaemonSet and cluster they are.
func (v *fleetView) moveLine(d int) {
	if v.transposed() {
		v.selCluster = min(max(v.selCluster+d, 0), max(len(v.tab.Clusters)-1, 0))
	} else if len(v.rows) > 0 {
		v.selKey = v.rows[min(max(v.rowIndex()+d, 0), len(v.rows)-1)].Key()
	}
	v.place()
}

func (v *fleetView) moveCol(d int) {
	if v.transposed() {
		if len(v.rows) > 0 {
			v.selKey = v.rows[min(max(v.rowIndex()+d, 0), len(v.rows)-1)].Key()
		}
	} else {
		v.selCluster = min(max(v.selCluster+d, 0), max(len(v.tab.Clusters)-1, 0))
	}
	v.place()
}

func (v fleetView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := v.c.keys
	if handled, changed := v.filter.filterKey(msg, k); handled {
		if changed {
			v.refresh()
		}
		return v, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return pop(), nil
	case scrollKey(msg, k, max(v.height-3, 1), max(len(v.rows), len(v.tab.Clusters)), v.moveLine):
	case key.Matches(msg, k.Left):
		v.moveCol(-1)
	case key.Matches(msg, k.Right):
		v.moveCol(1)
	case key.Matches(msg, k.Problems):
		v.problemsOnly = !v.problemsOnly
		v.refresh()
	case key.Matches(msg, k.Transpose):
		t := !v.transposed()
		v.transpose = &t
		v.place()
	case key.Matches(msg, k.Enter):
		return v.drill()
	}
	return v, nil
}

// selected is the selected row and cluster.
func (v fleetView) selected() (kube.FleetRow, kube.FleetCluster, bool) {
	if len(v.rows) == 0 || v.selCluster >= len(v.tab.Clusters) {
		return kube.FleetRow{}, kube.FleetCluster{}, false
	}
	return v.rows[v.rowIndex()], v.tab.Clusters[v.selCluster], true
}

// drill opens the selected cluster's node view of the selected
// DaemonSet, when the cluster has it.
func (v fleetView) drill() (View, tea.Cmd) {
	r, c, ok := v.selected()
	if !ok {
		return v, nil
	}
	cell := r.Cells[v.selCluster]
	switch {
	case cell.Unknown:
		return flash(v, fmt.Sprintf("context %s: %s", c.Context, clusterProblem(c))), nil
	case !cell.Present:
		return flash(v, fmt.Sprintf("%s is not in context %s", r.Key(), c.Context)), nil
	}
	return reply{view: v, drill: &drillRequest{context: c.Context, namespace: r.Namespace, name: r.Name}}, nil
}

// scope puts the fleet in the title bar instead of the session's context,
// which the fleet does not show until a drill-in switches to one.
func (v fleetView) scope() string {
	ns := v.snap.Namespace
	if ns == "" {
		ns = "all"
	}
	return fmt.Sprintf("fleet · %d %s │ namespace: %s", len(v.tab.Clusters), plural(len(v.tab.Clusters), "context"), ns)
}

func (v fleetView) Title() string {
	s := fmt.Sprintf("%d %s", len(v.tab.Rows), daemonSets(len(v.tab.Rows)))
	if v.problemsOnly {
		s += " · problems only"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func (v fleetView) Keys() []key.Binding {
	k := v.c.keys
	return []key.Binding{k.Enter, k.Left, k.Right, k.Filter, k.Problems, k.Transpose, k.Back}
}

// clusterMark is a cluster's state as a symbol; the word is in the
// detail line.
func clusterMark(c kube.FleetCluster) string {
	switch {
	case c.State == kube.ClusterOK && c.Synced:
		return "●"
	case c.State == kube.ClusterConnecting, c.State == kube.ClusterOK:
		return "…"
	}
	return "✗"
}

func clusterLabel(c kube.FleetCluster) string { return clusterMark(c) + " " + c.Context }

// clusterProblem says what is wrong with a cluster, for the detail line.
func clusterProblem(c kube.FleetCluster) string {
	s := string(c.State)
	switch c.State {
	case kube.ClusterConnecting:
		return "connecting…"
	case kube.ClusterOK:
		if !c.Synced {
			return "listing DaemonSets…"
		}
		return "connected"
	case kube.ClusterLogin:
		s = "login needed (its exec plugin would prompt; dsx never gives it the terminal)"
	case kube.ClusterInvalid:
		s = "cannot be used"
	}
	if c.Err != "" {
		s += ": " + c.Err
	}
	if c.State != kube.ClusterInvalid {
		s += " (retrying)"
	}
	return s
}

func rowLabel(r kube.FleetRow) string {
	mark := "  "
	switch {
	case r.Drift:
		mark = "⚠ "
	case r.Problem:
		mark = "✗ "
	}
	return mark + r.Key()
}

// cellText is one DaemonSet in one cluster: image tag,
// desired/updated/ready and the rollout mark.
func cellText(c kube.FleetCell) string {
	switch {
	case c.Unknown:
		return "?"
	case !c.Present:
		return "∅ absent"
	}
	r := c.Row
	s := fmt.Sprintf("%s %d/%d/%d %s", c.Tag, r.Desired, r.UpToDate, r.Ready, markSymbol(r.Mark))
	if c.Stale {
		s += "…"
	}
	return s
}

func markSymbol(mark string) string {
	if s, _, ok := strings.Cut(markText(mark), " "); ok {
		return s
	}
	if mark == kube.MarkDrift {
		return "⚠"
	}
	return mark
}

// View draws the summary, the table and the selected cell's detail.
func (v fleetView) View(width, height int) string {
	st := v.c.st
	t := v.tab
	drift, problems := 0, 0
	for _, r := range t.Rows {
		if r.Drift {
			drift++
		}
		if r.Problem {
			problems++
		}
	}
	ok := 0
	for _, c := range t.Clusters {
		if c.State == kube.ClusterOK && c.Synced {
			ok++
		}
	}
	head := fmt.Sprintf(" %d of %d clusters connected · %d drift · %d with problems · cells: tag desired/updated/ready", ok, len(t.Clusters), drift, problems)
	headStyle := st.header
	out := []string{headStyle.Render(fit(head, width, false))}
	if len(t.Clusters) == 0 {
		return strings.Join(append(out, st.dim.Render(fit(" no contexts selected", width, false))), "\n")
	}
	transposed := v.transposed()
	labelW, cellW := v.labelWidth(transposed), v.cellWidth()
	ncols := len(t.Clusters)
	if transposed {
		ncols = len(v.rows)
	}
	first, last := v.colOff, min(v.colOff+v.visibleCols(), ncols)
	// The header line.
	var hb strings.Builder
	if transposed {
		hb.WriteString(fit("CLUSTER", labelW, false))
		for j := first; j < last; j++ {
			// The name alone: a column is narrow, and the detail line
			// names the namespace.
			r := v.rows[j]
			r.Namespace = ""
			s, _, _ := fitMid(strings.Replace(rowLabel(r), "/", "", 1), cellW)
			hb.WriteString("  " + s)
		}
	} else {
		hb.WriteString(fit("DAEMONSET", labelW, false))
		for j := first; j < last; j++ {
			hb.WriteString("  " + fit(clusterLabel(t.Clusters[j]), cellW, false))
		}
	}
	more := ""
	if first > 0 {
		more += "◀"
	}
	if last < ncols {
		more += "▶"
	}
	out = append(out, st.header.Render(fit(fit(hb.String(), width-len([]rune(more)), false)+more, width, false)))
	if len(v.rows) == 0 {
		msg := " No DaemonSets"
		switch {
		case !v.snap.Complete():
			msg = " Connecting to the clusters…"
		case v.filter.value() != "":
			msg += " match “" + v.filter.value() + "”"
		case v.problemsOnly:
			msg = " No problems: every DaemonSet converged on every cluster, on the same images"
		}
		out = append(out, st.dim.Render(fit(msg, width, false)))
	}
	start, end := v.rowScroll.window()
	selLine, selCol := v.rowIndex(), v.selCluster
	if transposed {
		selLine, selCol = selCol, selLine
	}
	for line := start; line < end && len(v.rows) > 0; line++ {
		var b strings.Builder
		if transposed {
			b.WriteString(fit(clusterLabel(t.Clusters[line]), labelW, false))
		} else {
			label, _, _ := fitMid(rowLabel(v.rows[line]), labelW)
			b.WriteString(label)
		}
		for j := first; j < last; j++ {
			ri, ci := line, j
			if transposed {
				ri, ci = j, line
			}
			cell := fit(cellText(v.rows[ri].Cells[ci]), cellW, false)
			b.WriteString("  ")
			switch {
			case line == selLine && j == selCol:
				b.WriteString(st.selected.Render(cell))
			default:
				b.WriteString(cellStyle(st, v.rows[ri].Cells[ci]).Render(cell))
			}
		}
		row := b.String()
		if !transposed && v.rows[line].Drift && line != selLine {
			row = st.warn.Render(ansi.Strip(row))
		}
		out = append(out, fit(row, width, false))
	}
	// The selected cell, in words.
	for len(out) < height-1 {
		out = append(out, "")
	}
	if height >= 4 {
		out = append(out[:min(len(out), height-1)], v.detail(width))
	}
	return strings.Join(out, "\n")
}

func cellStyle(st styles, c kube.FleetCell) lipgloss.Style {
	switch {
	case c.Unknown, !c.Present, c.Stale:
		return st.dim
	case c.Row.Mark == kube.MarkStalled || c.Row.Mark == kube.MarkMisscheduled:
		return st.bad
	case c.Row.Mark != kube.MarkComplete:
		return st.warn
	}
	return lipgloss.NewStyle()
}

// status is the status bar over the fleet: how many clusters answer, and
// which do not and why, in a word each.
func (v fleetView) status(width int) string {
	st := v.c.st
	ok, n := 0, len(v.tab.Clusters)
	var bad []string
	for _, c := range v.tab.Clusters {
		switch {
		case c.State == kube.ClusterOK && c.Synced:
			ok++
		case c.State.Problem():
			bad = append(bad, c.Context+" "+string(c.State))
		}
	}
	s := fmt.Sprintf(" ● %d of %d clusters connected", ok, n)
	if len(bad) > 0 {
		return st.bad.Render(fit(s+" · ✗ "+strings.Join(bad, " · ✗ "), width, false))
	}
	if ok < n {
		return st.dim.Render(fit(s+" · … connecting", width, false))
	}
	return st.dim.Render(fit(s, width, false))
}

// detail is the selected cell's line: the cluster's state, or the
// DaemonSet's images and counts there.
func (v fleetView) detail(width int) string {
	st := v.c.st
	r, c, ok := v.selected()
	if !ok {
		if v.selCluster < len(v.tab.Clusters) {
			c := v.tab.Clusters[v.selCluster]
			return st.dim.Render(fit(" "+c.Context+": "+clusterProblem(c), width, false))
		}
		return ""
	}
	cell := r.Cells[v.selCluster]
	var s string
	switch {
	case c.State != kube.ClusterOK || !c.Synced:
		s = fmt.Sprintf(" %s: %s", c.Context, clusterProblem(c))
		if c.State.Problem() {
			s = fmt.Sprintf(" %s: %s for %s", c.Context, clusterProblem(c), age(v.c.now(), c.Since))
		}
	case !cell.Present:
		s = fmt.Sprintf(" %s: %s is absent", c.Context, r.Key())
	default:
		x := cell.Row
		s = fmt.Sprintf(" %s: %s %s · desired %d · updated %d · ready %d · available %d · %s", c.Context, r.Key(), rowMarkText(x),
			x.Desired, x.UpToDate, x.Ready, x.Available, strings.Join(cell.Images, ","))
		if c.Nodes >= 0 {
			s += fmt.Sprintf(" · %d nodes", c.Nodes)
		}
	}
	if len(c.Limits) > 0 {
		s += " · " + strings.Join(c.Limits, "; ")
	}
	if c.State.Problem() {
		return st.bad.Render(fit(s, width, false))
	}
	return st.dim.Render(fit(s, width, false))
}

// fleetCmd starts a fleet watcher on the selection, off the update loop
// (it reads the kubeconfig).
func (m Model) fleetCmd(spec string) tea.Cmd {
	f, ctx := m.c.fleeter, m.c.ctx
	if f == nil {
		return func() tea.Msg {
			return fleetStartedMsg{spec: spec, err: fmt.Errorf("the fleet view is not available here")}
		}
	}
	return func() tea.Msg {
		src, err := f.StartFleet(ctx, spec)
		return fleetStartedMsg{spec: spec, src: src, err: err}
	}
}

// fleetStarted puts the fleet view on the stack, in place of one already
// there.
func (m Model) fleetStarted(msg fleetStartedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.flash = "fleet: " + firstLine(msg.err.Error())
		return m, nil
	}
	m = m.stopFleet()
	for i, v := range m.stack {
		if _, ok := v.(fleetView); ok {
			m.stack = append([]View(nil), m.stack[:i]...)
			break
		}
	}
	if len(m.stack) == 0 {
		m.stack = []View{newList(m.c, m.snap).SetSize(m.width, m.bodyHeight())}
	}
	m.fleet = msg.src
	m.fleetGen++
	m = m.push(newFleet(m.c, msg.spec, msg.src.Snapshot()))
	return m, m.waitFleet()
}

func (m Model) waitFleet() tea.Cmd {
	src, gen, ctx := m.fleet, m.fleetGen, m.c.ctx
	if src == nil {
		return nil
	}
	return func() tea.Msg {
		s, err := src.Next(ctx)
		if err != nil {
			return nil
		}
		return fleetMsg{gen: gen, snap: s}
	}
}

// stopFleet ends the fleet watcher: its informers stop in the
// background.
func (m Model) stopFleet() Model {
	if m.fleet != nil {
		go m.fleet.Stop()
		m.fleet = nil
		m.fleetGen++
	}
	return m
}

// stopFleetIfGone stops the fleet watcher once no fleet view is left on
// the stack.
func (m Model) stopFleetIfGone() Model {
	for _, v := range m.stack {
		if _, ok := v.(fleetView); ok {
			return m
		}
	}
	return m.stopFleet()
}

// drillTo opens one cluster's node view of a DaemonSet over the fleet:
// on the ordinary session, switched to that context when it watches
// another, so that every action there is bound to that cluster.
func (m Model) drillTo(d drillRequest) (Model, tea.Cmd) {
	if m.snap.Context == d.context && m.switching == "" && (m.snap.Namespace == "" || m.snap.Namespace == d.namespace) {
		m = m.push(newNodes(m.c, m.snap, d.namespace, d.name))
		return m, m.c.focus(d.namespace, d.name)
	}
	if m.c.sw == nil {
		m.flash = "switching is not available here"
		return m, nil
	}
	m.drilling = &d
	m.switching, m.switchFrom = d.context, m.snap.Context
	sw, ctx, timeout := m.c.sw, m.c.ctx, m.c.requestTimeout
	return m, func() tea.Msg {
		err := sw.Switch(ctx, d.context, d.namespace, false, timeout)
		return switchedMsg{contextName: d.context, namespace: d.namespace, err: err, drill: true}
	}
}

// drilled finishes drillTo once the session watches the cluster: the
// list under the fleet is the new context's, and the node view goes on
// top of the fleet, whose selection stays as it was.
func (m Model) drilled(msg switchedMsg) (Model, tea.Cmd) {
	d := m.drilling
	m.drilling, m.switching = nil, ""
	if msg.err != nil {
		m.flash = "cannot open context " + msg.contextName + ": " + firstLine(msg.err.Error())
		return m, nil
	}
	if m.snap.Context != msg.contextName || m.snap.Namespace != msg.namespace {
		m.snap = kube.Snapshot{Context: msg.contextName, Namespace: msg.namespace}
	}
	m.stack = append([]View(nil), m.stack...)
	m.stack[0] = newList(m.c, m.snap).SetSize(m.width, m.bodyHeight())
	if _, ok := m.top().(fleetView); !ok {
		// The user left the fleet while the switch was on its way.
		return m, nil
	}
	m = m.push(newNodes(m.c, m.snap, d.namespace, d.name))
	return m, m.c.focus(d.namespace, d.name)
}
