// Package ui holds dsx's Bubble Tea models. They receive immutable
// snapshots from kube/ as messages and never call the API server.
package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// Source delivers snapshots; kube.Watcher is the real one.
type Source interface {
	Next(ctx context.Context) (kube.Snapshot, error)
}

// Focuser is a Source that can compute one DaemonSet's node view.
type Focuser interface {
	Focus(namespace, name string)
}

// Inspector fetches describe text and YAML; kube.Inspector is the real one.
type Inspector interface {
	Describe(ref kube.ObjectRef) (string, error)
	YAML(ctx context.Context, ref kube.ObjectRef) (string, error)
	Logs(ctx context.Context, namespace, pod, container string, previous, follow bool, tail int64) (io.ReadCloser, error)
}

// SnapshotMsg carries a new snapshot into the model.
type SnapshotMsg struct{ Snapshot kube.Snapshot }

// tickMsg refreshes ages and the "disconnected since" clock.
type tickMsg time.Time

// focusedMsg says the source now computes the focused node view.
type focusedMsg struct{}

// Options configure the model.
type Options struct {
	Context   context.Context
	Source    Source
	Keys      keys.Map
	Now       func() time.Time
	Initial   kube.Snapshot
	TickEvery time.Duration
	Inspector Inspector
	Switcher  Switcher
	// Actor changes the cluster; nil disables the actions.
	Actor Actor
	// ASCII keeps every byte written to the terminal ASCII (--ascii, or
	// a locale that is not UTF-8).
	ASCII bool
	// Theme colours the screen; zero fields keep the defaults.
	Theme Theme
	// RequestTimeout bounds a context switch's first requests.
	RequestTimeout time.Duration
	// Shell is the command s runs in a pod (kube.DefaultShell when nil).
	Shell []string
}

type viewKind int

const (
	viewList viewKind = iota
	viewNodes
	viewPager
	viewLogs
	viewPicker
	viewHistory
)

// Model is the root model.
type Model struct {
	ctx    context.Context
	src    Source
	keys   keys.Map
	now    func() time.Time
	tick   time.Duration
	st     styles
	snap   kube.Snapshot
	width  int
	height int

	view       viewKind
	showHelp   bool
	helpOffset int
	list       listView
	nodes      nodeView
	pager      pager
	logs       logView
	insp       Inspector
	sw         Switcher
	picker     picker
	cmdline    filterState
	// switching names the context being switched to, "" when none.
	switching      string
	switchFrom     string
	saved          map[string]ctxState
	requestTimeout time.Duration
	// flash is a one-line message in the status bar until the next key.
	flash string
	act   Actor
	// dialog, when set, asks before an action is sent.
	dialog  *dialog
	history historyView
	// busy says what action is in flight, "" when none.
	busy  string
	ascii bool
	shell []string
}

// New makes the root model.
func New(o Options) Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.TickEvery == 0 {
		o.TickEvery = 5 * time.Second
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if len(o.Shell) == 0 {
		o.Shell = kube.DefaultShell()
	}
	m := Model{ctx: o.Context, src: o.Source, keys: o.Keys, now: o.Now, tick: o.TickEvery, st: newStyles(o.Theme), snap: o.Initial, width: 80, height: 24,
		insp: o.Inspector, sw: o.Switcher, act: o.Actor, ascii: o.ASCII, requestTimeout: o.RequestTimeout, shell: o.Shell}
	m.list.setRows(m.snap.DaemonSets, m.now())
	return m
}

// Init starts listening for snapshots.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.waitSnapshot(), m.tickCmd())
}

func (m Model) waitSnapshot() tea.Cmd {
	if m.src == nil {
		return nil
	}
	return func() tea.Msg {
		s, err := m.src.Next(m.ctx)
		if err != nil {
			return nil
		}
		return SnapshotMsg{Snapshot: s}
	}
}

func (m Model) focus(ns, name string) tea.Cmd {
	f, ok := m.src.(Focuser)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		f.Focus(ns, name)
		return focusedMsg{}
	}
}

func (m Model) tickCmd() tea.Cmd {
	return tea.Tick(m.tick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		m.snap = msg.Snapshot
		now := m.now()
		m.list.setRows(m.snap.DaemonSets, now)
		if m.snap.Focus != "" && m.snap.Focus == m.nodes.ns+"/"+m.nodes.name {
			m.nodes.set(m.snap.Detail, now)
		}
		return m, m.waitSnapshot()
	case tickMsg:
		return m, m.tickCmd()
	case logLinesMsg:
		if m.view != viewLogs || msg.stream != m.logs.stream {
			return m, nil
		}
		m.logs.add(msg.lines, m.bodyHeight()-1)
		if msg.err != nil {
			m.logs.err = msg.err
		}
		if msg.done {
			m.logs.ended = true
			return m, nil
		}
		return m, readLogChunk(msg.stream, msg.ch)
	case pickerItemsMsg:
		if m.view == viewPicker && msg.what == m.picker.what {
			m.picker.items, m.picker.err = msg.items, msg.err
			if m.picker.items == nil {
				m.picker.items = []pickItem{}
			}
			m.picker.refresh()
		}
		return m, nil
	case switchedMsg:
		m.switching = ""
		if msg.err != nil {
			m.flash = "switch failed: " + firstLine(msg.err.Error())
			return m, nil
		}
		same := msg.contextName == m.switchFrom
		arrived := m.snap.Context == msg.contextName &&
			(!same || (msg.all && m.snap.Namespace == "") || (!msg.all && m.snap.Namespace == msg.namespace))
		if !arrived {
			// No snapshot of the new scope yet: show it as syncing.
			m.snap = kube.Snapshot{Context: msg.contextName, Namespace: msg.namespace}
		}
		cmd := m.restoreState(msg.contextName, same)
		m.list.setRows(m.snap.DaemonSets, m.now())
		return m, cmd
	case textMsg:
		if m.view == viewPager && msg.ref == m.pager.ref && msg.what == m.pager.what {
			if msg.err != nil {
				m.pager.loading, m.pager.err = false, msg.err
			} else {
				m.pager.setText(msg.text)
			}
		}
		return m, nil
	case allowedMsg:
		m.busy = ""
		if msg.denied != "" {
			m.flash = "✗ " + string(msg.target.action) + " not permitted: " + msg.denied
			return m, nil
		}
		return m.proceed(msg.target)
	case editReadyMsg:
		m.busy = ""
		if msg.err != nil {
			m.flash = outcome("edit", msg.err)
			return m, nil
		}
		return m, m.launchEditor(msg.edit)
	case editorClosedMsg:
		return m.editorClosed(msg)
	case submittedMsg:
		m.busy = ""
		return m.submitted(msg.res)
	case shellClosedMsg:
		return m.shellClosed(msg)
	case podMsg:
		return m.podRead(msg)
	case forwardedMsg:
		m.busy = ""
		if msg.err != nil {
			m.flash = outcome("port-forward", msg.err)
		} else {
			m.flash = "✓ forwarding " + msg.fwd.String() + " (:pf lists and stops)"
		}
		return m, nil
	case doneMsg:
		m.busy = ""
		m.flash = outcome(msg.text, msg.err)
		if m.view == viewHistory && msg.err == nil {
			m.history.loading = true
			return m, fetchHistory(m.act, m.ctx, m.history.target, false)
		}
		return m, nil
	case historyMsg:
		m.busy = ""
		if msg.forUndo {
			if msg.err != nil {
				m.flash = outcome("undo", msg.err)
				return m, nil
			}
			d, why := undoDialog(msg.target, msg.entries)
			if d == nil {
				m.flash = why
				return m, nil
			}
			m.dialog = d
			return m, nil
		}
		if m.view == viewHistory && msg.target == m.history.target {
			m.history.loading, m.history.entries, m.history.err = false, msg.entries, msg.err
			m.history.cur = min(m.history.cur, max(len(msg.entries)-1, 0))
		}
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyPressMsg:
		m.flash = ""
		return m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) activeFilter() *filterState {
	switch m.view {
	case viewNodes:
		return &m.nodes.filter
	case viewPager:
		return &m.pager.search
	case viewPicker:
		return &m.picker.filter
	}
	return &m.list.filter
}

func (m *Model) refresh() {
	switch m.view {
	case viewNodes:
		m.nodes.refresh(m.now())
	case viewPager:
		m.pager.findMatches()
		m.pager.firstMatchFromTop(m.bodyHeight() - 1)
	case viewPicker:
		m.picker.refresh()
	default:
		m.list.refresh(m.now())
	}
}

// selectedRef is the object describe and YAML act on: the DaemonSet in
// the list; in the node view the row's pod, or its node when it has none.
func (m Model) selectedRef() (kube.ObjectRef, bool) {
	switch m.view {
	case viewList:
		if r, ok := m.list.selected(); ok {
			return kube.ObjectRef{Kind: kube.KindDaemonSet, Namespace: r.Namespace, Name: r.Name}, true
		}
	case viewNodes:
		if m.nodes.cur.pos < len(m.nodes.rows) {
			r := m.nodes.rows[m.nodes.cur.pos]
			if r.Pod != "" {
				return kube.ObjectRef{Kind: kube.KindPod, Namespace: m.nodes.ns, Name: r.Pod}, true
			}
			if !r.NodeGone {
				return kube.ObjectRef{Kind: kube.KindNode, Name: r.Node}, true
			}
		}
	}
	return kube.ObjectRef{}, false
}

// openPager shows describe or YAML text, fetched by a command.
func (m Model) openPager(what string) (Model, tea.Cmd) {
	ref, ok := m.selectedRef()
	if !ok || m.insp == nil {
		m.flash = "nothing selected"
		return m, nil
	}
	back := m.view
	m.pager = pager{ref: ref, what: what, loading: true, back: back}
	m.view = viewPager
	insp, ctx := m.insp, m.ctx
	return m, func() tea.Msg {
		var text string
		var err error
		if what == "describe" {
			text, err = insp.Describe(ref)
		} else {
			text, err = insp.YAML(ctx, ref)
		}
		return textMsg{ref: ref, what: what, text: text, err: err}
	}
}

func (m Model) handlePagerKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	h := m.bodyHeight() - 1
	p := &m.pager
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Back):
		if p.search.pattern != "" {
			p.search.pattern = ""
			p.findMatches()
			return m, nil
		}
		m.view = p.back
	case scrollKey(msg, k, h, len(p.lines), func(d int) { p.scroll(d, h) }):
	case key.Matches(msg, k.Filter):
		p.search.editing = true
	case key.Matches(msg, k.SearchNext):
		p.jump(1, h)
	case key.Matches(msg, k.SearchPrev):
		p.jump(-1, h)
	case key.Matches(msg, k.Help):
		m.showHelp = true
	}
	return m, nil
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if msg.String() == "ctrl+c" {
		return m, tea.Quit
	}
	if m.cmdline.editing {
		switch msg.String() {
		case "enter":
			m.cmdline.editing = false
			return m.runCommand(m.cmdline.pattern)
		case "esc":
			m.cmdline.editing = false
		case "backspace":
			if r := []rune(m.cmdline.pattern); len(r) > 0 {
				m.cmdline.pattern = string(r[:len(r)-1])
			}
		default:
			if msg.Text != "" {
				m.cmdline.pattern += msg.Text
			}
		}
		return m, nil
	}
	if f := m.activeFilter(); f.editing {
		switch msg.String() {
		case "enter":
			f.editing = false
		case "esc":
			f.editing, f.pattern = false, ""
		case "backspace":
			if r := []rune(f.pattern); len(r) > 0 {
				f.pattern = string(r[:len(r)-1])
			}
		default:
			if msg.Text != "" {
				f.pattern += msg.Text
			}
		}
		m.refresh()
		return m, nil
	}
	if m.showHelp {
		switch {
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		case key.Matches(msg, k.Help, k.Back):
			m.showHelp, m.helpOffset = false, 0
		case key.Matches(msg, k.Down, k.PageDown):
			m.helpOffset = min(m.helpOffset+1, 40)
		case key.Matches(msg, k.Up, k.PageUp):
			m.helpOffset = max(m.helpOffset-1, 0)
		}
		return m, nil
	}
	if m.dialog != nil {
		return m.handleDialogKey(msg)
	}
	if m.view == viewPager {
		return m.handlePagerKey(msg)
	}
	if m.view == viewHistory {
		return m.handleHistoryKey(msg)
	}
	if m.view == viewLogs {
		return m.handleLogsKey(msg)
	}
	if m.view == viewPicker {
		return m.handlePickerKey(msg)
	}
	page := max(m.bodyHeight()-1, 1)
	keysOf := m.list.keys
	cur := &m.list.cur
	if m.view == viewNodes {
		keysOf = m.nodes.keys
		cur = &m.nodes.cur
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Up):
		cur.move(-1, keysOf())
	case key.Matches(msg, k.Down):
		cur.move(1, keysOf())
	case key.Matches(msg, k.PageUp):
		cur.move(-page, keysOf())
	case key.Matches(msg, k.PageDown):
		cur.move(page, keysOf())
	case key.Matches(msg, k.Top):
		cur.move(-len(keysOf()), keysOf())
	case key.Matches(msg, k.Bottom):
		cur.move(len(keysOf()), keysOf())
	case key.Matches(msg, k.Filter):
		f := m.activeFilter()
		f.editing = true
	case key.Matches(msg, k.Back):
		if f := m.activeFilter(); f.pattern != "" {
			f.pattern = ""
			m.refresh()
			return m, nil
		}
		if m.view == viewNodes {
			m.view = viewList
			return m, m.focus("", "")
		}
	case key.Matches(msg, k.Sort):
		if m.view == viewNodes {
			m.nodes.sort = (m.nodes.sort + 1) % nodeSortCount
		} else {
			m.list.sort = (m.list.sort + 1) % listSortCount
		}
		m.refresh()
	case key.Matches(msg, k.Problems):
		if m.view == viewNodes {
			m.nodes.problemsOnly = !m.nodes.problemsOnly
			m.refresh()
		}
	case key.Matches(msg, k.Enter):
		if m.view == viewList {
			if r, ok := m.list.selected(); ok {
				m.view = viewNodes
				m.nodes = nodeView{ns: r.Namespace, name: r.Name, problemsOnly: m.nodes.problemsOnly && m.nodes.ns == r.Namespace && m.nodes.name == r.Name}
				if m.snap.Focus == r.Key() {
					m.nodes.set(m.snap.Detail, m.now())
				}
				return m, m.focus(r.Namespace, r.Name)
			}
		}
	case key.Matches(msg, k.Describe):
		return m.openPager("describe")
	case key.Matches(msg, k.YAML):
		return m.openPager("yaml")
	case key.Matches(msg, k.Logs):
		return m.openLogs()
	case key.Matches(msg, k.Command):
		m.cmdline = filterState{editing: true}
	case key.Matches(msg, k.Contexts):
		return m.openPicker("context")
	case key.Matches(msg, k.Edit):
		return m.startAction(kube.ActEdit)
	case key.Matches(msg, k.Delete):
		return m.startAction(kube.ActDelete)
	case key.Matches(msg, k.Create):
		return m.startAction(kube.ActCreate)
	case key.Matches(msg, k.Restart):
		return m.startAction(kube.ActRestart)
	case key.Matches(msg, k.Undo):
		return m.startAction(kube.ActUndo)
	case key.Matches(msg, k.History):
		return m.openHistory()
	case key.Matches(msg, k.Shell):
		return m.startStream(kube.ActShell)
	case key.Matches(msg, k.PortForward):
		return m.startStream(kube.ActForward)
	}
	return m, nil
}

// bodyHeight is the rows left for a view: title, filter, status and hint
// lines take four.
func (m Model) bodyHeight() int { return max(m.height-4, 1) }

// View renders the screen; only what fits is drawn.
func (m Model) View() tea.View {
	s := m.render()
	if m.ascii {
		s = toASCII(s)
	}
	v := tea.NewView(s)
	v.AltScreen = true
	v.WindowTitle = "dsx"
	return v
}

func (m Model) render() string {
	w, h := m.width, m.height
	if w < 20 || h < 6 {
		// Say so in as many words as fit, rather than draw garbage.
		for _, msg := range []string{fmt.Sprintf("dsx: terminal too small (%dx%d, needs 20x6)", w, h), "dsx: terminal too small", "too small"} {
			if len(msg) <= w {
				return msg
			}
		}
		return fit("too small", w, false)
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.titleLine(w))
	now := m.now()
	var body []string
	switch {
	case m.showHelp:
		body = m.helpLines(w, m.bodyHeight())
	case m.view == viewNodes:
		body = m.nodes.render(m.st, w, m.bodyHeight(), now)
	case m.view == viewPager:
		body = m.pager.render(m.st, w, m.bodyHeight())
	case m.view == viewLogs:
		body = m.logs.render(m.st, w, m.bodyHeight())
	case m.view == viewPicker:
		body = m.picker.render(m.st, w, m.bodyHeight())
	case m.view == viewHistory:
		body = m.history.render(m.st, w, m.bodyHeight(), now)
	default:
		body = m.list.render(m.st, w, m.bodyHeight(), now, m.snap)
	}
	// A view's own header lines may not fit a very short terminal: the
	// frame never grows past it.
	if len(body) > m.bodyHeight() {
		body = body[:m.bodyHeight()]
	}
	if m.dialog != nil && !m.showHelp {
		body = overlay(body, m.dialog.lines(m.st, w, m.bodyHeight()), w, m.bodyHeight())
	}
	lines = append(lines, body...)
	for len(lines) < h-3 {
		lines = append(lines, "")
	}
	lines = append(lines, m.filterLine(w), m.statusLine(w), m.hintLine(w))
	return strings.Join(lines, "\n")
}

func (m Model) titleLine(w int) string {
	ns := m.snap.Namespace
	if ns == "" {
		ns = "all"
	}
	what := m.list.summary()
	switch m.view {
	case viewNodes:
		what = m.nodes.summary()
	case viewPager:
		what = m.pager.what + " " + m.pager.ref.String()
	case viewLogs:
		what = "logs " + m.logs.ns + "/" + m.logs.pod
	case viewHistory:
		what = "history " + m.history.target.namespace + "/" + m.history.target.name
	}
	s := fmt.Sprintf(" dsx │ context: %s │ namespace: %s │ %s", orDash(m.snap.Context), ns, what)
	return m.st.title.Render(fit(s, w, false))
}

func (m Model) filterLine(w int) string {
	if m.cmdline.editing {
		return fit(" :"+m.cmdline.pattern+"█  (ctx · ns · q; enter runs · esc cancels)", w, false)
	}
	f := m.activeFilter()
	switch {
	case f.editing:
		return fit(" /"+f.pattern+"█  (enter: keep · esc: clear)", w, false)
	case f.pattern != "":
		return m.st.dim.Render(fit(" filter: "+f.pattern+"  (/ to change · esc to clear)", w, false))
	}
	return ""
}

func (m Model) statusLine(w int) string {
	var s string
	now := m.now()
	switch {
	case m.busy != "":
		return m.st.warn.Render(fit(" … "+m.busy, w, false))
	case strings.HasPrefix(m.flash, "✓"):
		return m.st.good.Render(fit(" "+m.flash, w, false))
	case m.flash != "":
		s = " " + m.flash
		return m.st.warn.Render(fit(s, w, false))
	case m.switching != "":
		return m.st.warn.Render(fit(" … switching to context "+m.switching, w, false))
	case m.snap.Conn.Err != nil && !m.snap.Synced:
		s = fmt.Sprintf(" ✗ cannot reach the API server (retrying for %s): %s", age(now, m.snap.Conn.Since), firstLine(m.snap.Conn.Err.Error()))
		return m.st.bad.Render(fit(s, w, false))
	case m.snap.Conn.Err != nil:
		s = fmt.Sprintf(" ✗ disconnected for %s, data may be stale: %s", age(now, m.snap.Conn.Since), firstLine(m.snap.Conn.Err.Error()))
		return m.st.bad.Render(fit(s, w, false))
	case !m.snap.Synced:
		s = " … syncing"
	default:
		s = fmt.Sprintf(" ● connected · %d nodes · %d daemon pods", m.snap.Nodes, m.snap.Pods)
		if !m.snap.LastEvent.IsZero() {
			s += fmt.Sprintf(" · last event %s ago", age(now, m.snap.LastEvent))
		}
		if len(m.snap.Hidden) > 0 {
			s += " · hidden by RBAC: " + strings.Join(m.snap.Hidden, "; ")
			return m.st.warn.Render(fit(s, w, false))
		}
	}
	return m.st.dim.Render(fit(s, w, false))
}

// hintLine shows as many key hints as fit; help and quit always show.
func (m Model) hintLine(w int) string {
	k := m.keys
	tail := " · " + hint(k.Help) + " · " + hint(k.Quit)
	s := ""
	var bs []key.Binding
	switch m.view {
	case viewNodes:
		bs = []key.Binding{k.Back, k.Problems, k.Describe, k.YAML, k.Logs, k.Filter, k.Sort, k.Shell, k.PortForward}
	case viewPager:
		bs = []key.Binding{k.Back, k.Filter, k.SearchNext, k.SearchPrev, k.PageDown, k.PageUp}
	case viewLogs:
		bs = []key.Binding{k.Back, k.Follow, k.Previous, k.Container, k.PageUp, k.PageDown}
	case viewHistory:
		bs = []key.Binding{k.Back, k.Diff, k.Mark, k.Undo}
	default:
		bs = []key.Binding{k.Enter, k.Describe, k.YAML, k.Filter, k.Sort, k.Edit, k.Delete, k.History}
	}
	if m.dialog != nil {
		bs = []key.Binding{k.Confirm, k.Back}
		if len(m.dialog.choices) > 0 {
			bs = append(bs, k.Choice)
		}
	}
	for _, b := range bs {
		next := s + " · " + hint(b)
		if ansi.StringWidth(next+tail)-2 > w {
			break
		}
		s = next
	}
	line := strings.TrimPrefix(s+tail, " · ")
	return m.st.hint.Render(fit(" "+line, w, false))
}

func hint(b key.Binding) string {
	h := b.Help()
	return h.Key + " " + h.Desc
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return ansi.Strip(s)
}

// openLogs shows the selected node row's pod logs; with several
// containers it asks which one first.
func (m Model) openLogs() (tea.Model, tea.Cmd) {
	if m.view != viewNodes || m.insp == nil {
		m.flash = "logs: select a node row with a pod (enter on a DaemonSet first)"
		return m, nil
	}
	if m.nodes.cur.pos >= len(m.nodes.rows) || m.nodes.rows[m.nodes.cur.pos].Pod == "" {
		m.flash = "logs: this node has no pod"
		return m, nil
	}
	r := m.nodes.rows[m.nodes.cur.pos]
	m.logs = logView{ns: m.nodes.ns, pod: r.Pod, containers: r.Containers, follow: true, back: viewNodes, stream: m.logs.stream}
	m.view = viewLogs
	if len(r.Containers) > 1 {
		m.logs.picking = true
		return m, nil
	}
	if len(r.Containers) == 1 {
		m.logs.container = r.Containers[0]
	}
	return m, m.startLogs()
}

func (m Model) handleLogsKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	lv := &m.logs
	h := m.bodyHeight() - 1
	if lv.picking {
		switch {
		case key.Matches(msg, k.Up):
			lv.pickPos = max(lv.pickPos-1, 0)
		case key.Matches(msg, k.Down):
			lv.pickPos = min(lv.pickPos+1, len(lv.containers)-1)
		case key.Matches(msg, k.Enter):
			lv.picking = false
			lv.container = lv.containers[lv.pickPos]
			return m, m.startLogs()
		case key.Matches(msg, k.Back):
			lv.picking = false
			if lv.container == "" {
				m.view = lv.back
			}
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Back):
		if lv.cancel != nil {
			lv.cancel()
		}
		m.view = lv.back
	case scrollKey(msg, k, h, len(lv.lines), func(d int) { lv.scroll(d, h) }):
	case key.Matches(msg, k.Follow):
		lv.follow = !lv.follow
		if lv.follow {
			lv.offset = max(len(lv.lines)-h, 0)
		}
	case key.Matches(msg, k.Previous):
		lv.previous = !lv.previous
		return m, m.startLogs()
	case key.Matches(msg, k.Container):
		if len(lv.containers) > 1 {
			lv.picking = true
		} else {
			m.flash = "logs: the pod has one container"
		}
	case key.Matches(msg, k.Help):
		m.showHelp = true
	}
	return m, nil
}

// scrollKey applies a movement key to a scrolling text of total lines
// shown height at a time; it reports whether msg was one.
func scrollKey(msg tea.KeyPressMsg, k keys.Map, height, total int, scroll func(int)) bool {
	switch {
	case key.Matches(msg, k.Up):
		scroll(-1)
	case key.Matches(msg, k.Down):
		scroll(1)
	case key.Matches(msg, k.PageUp):
		scroll(-height)
	case key.Matches(msg, k.PageDown):
		scroll(height)
	case key.Matches(msg, k.Top):
		scroll(-total)
	case key.Matches(msg, k.Bottom):
		scroll(total)
	default:
		return false
	}
	return true
}

func (m Model) handlePickerKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	p := &m.picker
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Back):
		if p.filter.pattern != "" {
			p.filter.pattern = ""
			p.refresh()
			return m, nil
		}
		m.view = p.back
	case key.Matches(msg, k.Up):
		p.cur = max(p.cur-1, 0)
	case key.Matches(msg, k.Down):
		p.cur = min(p.cur+1, max(len(p.shown)-1, 0))
	case key.Matches(msg, k.Filter):
		p.filter.editing = true
	case key.Matches(msg, k.Enter):
		it, ok := p.selected()
		if !ok {
			return m, nil
		}
		if p.what == "port-forward" {
			return m.stopForward(it)
		}
		m.view = p.back
		if p.what == "context" {
			return m.switchTo(it.value, "", false)
		}
		return m.switchTo(m.snap.Context, it.value, it.value == "")
	}
	return m, nil
}
