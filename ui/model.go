// Package ui holds dsx's Bubble Tea models. They receive immutable
// snapshots from kube/ as messages and never call the API server.
package ui

import (
	"cmp"
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

// Source delivers snapshots and computes the node view of the DaemonSet
// it is told to focus on; kube.Session and kube.Watcher are real ones.
type Source interface {
	Next(ctx context.Context) (kube.Snapshot, error)
	// Focus names the DaemonSet whose node view the next snapshots
	// carry; "" for none.
	Focus(namespace, name string)
}

// Inspector fetches describe text and YAML; kube.Inspector is the real one.
type Inspector interface {
	Describe(ref kube.ObjectRef) (string, error)
	YAML(ctx context.Context, ref kube.ObjectRef) (string, error)
	Logs(ctx context.Context, namespace, pod, container string, previous, follow bool, tail int64) (io.ReadCloser, error)
	// PodInfo is a pod's conditions, container states and last events.
	PodInfo(ctx context.Context, namespace, pod string) (string, error)
}

// SnapshotMsg carries a new snapshot into the model.
type SnapshotMsg struct{ Snapshot kube.Snapshot }

// closedMsg tells a view that the one above it was taken off the stack.
type closedMsg struct{ view View }

// tickMsg refreshes ages and the "disconnected since" clock; a Clock
// sends it.
type tickMsg time.Time

// Options configure the model.
type Options struct {
	Context context.Context
	Source  Source
	Keys    keys.Map
	Now     func() time.Time
	Initial kube.Snapshot
	// AgeStep is how far times on screen move at once: the period of the
	// Clock that redraws them. 0 keeps them exact.
	AgeStep   time.Duration
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
	// StallAfter is how long a rollout may not move before kube/ calls it
	// stalled (0: 2 minutes); the node view says so.
	StallAfter time.Duration
	// Log holds client-go's and klog's messages while the UI owns the
	// terminal; :log shows them.
	Log LogSource
	// Shell is the command s runs in a pod (kube.DefaultShell when nil).
	Shell []string
	// Fleeter starts fleet watchers (M, :fleet); nil disables the fleet.
	Fleeter Fleeter
	// Fleet, when set, opens the fleet view on this context selection at
	// start (dsx --fleet).
	Fleet string
}

// LogSource is a bounded in-memory log; kube.LogBuffer is the real one.
type LogSource interface {
	Lines() []string
	Count() int
}

// Model is the root model: a stack of views (the DaemonSet list at the
// bottom), the frame around the top one (title, input, status and hint
// lines), help, and a dialog drawn over the view.
type Model struct {
	c      *common
	snap   kube.Snapshot
	width  int
	height int
	ascii  bool

	stack      []View
	showHelp   bool
	helpOffset int
	cmdline    input
	// switching names the context being switched to, "" when none.
	switching  string
	switchFrom string
	saved      map[string]ctxState
	// flash is a one-line message in the status bar until the next key.
	flash string
	// dialog, when set, asks before an action is sent.
	dialog *dialog
	// busy says what action is in flight, "" when none.
	busy string
	// editFile holds the user's edit until the server accepted it.
	editFile string
	// log holds client-go's and klog's messages while the UI is up.
	log LogSource
	// shell is the command a shell runs in the pod.
	shell []string
	// fleet is the running fleet watcher while a fleet view is on the
	// stack; fleetGen tells its snapshots from a stopped one's.
	fleet    FleetSource
	fleetGen int
	// startFleet is the selection to open the fleet on at start.
	startFleet string
	// drilling is a node view to open over the fleet once the switch to
	// its context is done.
	drilling *drillRequest
}

// New makes the root model.
func New(o Options) Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if len(o.Shell) == 0 {
		o.Shell = kube.DefaultShell()
	}
	c := &common{ctx: o.Context, keys: o.Keys, st: newStyles(o.Theme), clock: o.Now, step: o.AgeStep, src: o.Source,
		insp: o.Inspector, act: o.Actor, sw: o.Switcher, fleeter: o.Fleeter, requestTimeout: o.RequestTimeout, stallAfter: cmp.Or(o.StallAfter, 2*time.Minute)}
	m := Model{c: c, snap: o.Initial, width: 80, height: 24, ascii: o.ASCII, cmdline: newInput(), log: o.Log, shell: o.Shell, startFleet: o.Fleet}
	m.stack = []View{newList(c, m.snap).SetSize(m.width, m.bodyHeight())}
	return m
}

// Init starts listening for snapshots.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.waitSnapshot()}
	if m.startFleet != "" {
		cmds = append(cmds, m.fleetCmd(m.startFleet))
	}
	return tea.Batch(cmds...)
}

func (m Model) waitSnapshot() tea.Cmd {
	if m.c.src == nil {
		return nil
	}
	src, ctx := m.c.src, m.c.ctx
	return func() tea.Msg {
		s, err := src.Next(ctx)
		if err != nil {
			return nil
		}
		return SnapshotMsg{Snapshot: s}
	}
}

// top is the view on screen.
func (m Model) top() View { return m.stack[len(m.stack)-1] }

// setTop replaces the top view. The stack is copied first: a Model is a
// value, and an older copy must keep its own views.
func (m *Model) setTop(v View) {
	m.stack = append([]View(nil), m.stack...)
	m.stack[len(m.stack)-1] = v
}

// push shows v on top, sized to the body.
func (m Model) push(v View) Model {
	m.stack = append(append([]View(nil), m.stack...), v.SetSize(m.width, m.bodyHeight()))
	return m
}

// pop goes back to the view below; the list is never popped.
func (m Model) pop() Model {
	if len(m.stack) > 1 {
		m.stack = append([]View(nil), m.stack[:len(m.stack)-1]...)
	}
	return m
}

// toTop gives msg to the top view and does what its reply asks.
func (m Model) toTop(msg tea.Msg) (Model, tea.Cmd) {
	v, cmd := m.top().Update(msg)
	r, ok := v.(reply)
	if !ok {
		m.setTop(v)
		return m, cmd
	}
	if r.pop {
		closed := m.top()
		m = m.pop()
		if _, ok := closed.(fleetView); ok {
			m = m.stopFleet()
		}
		// The view below may keep something of the closed one.
		below, _ := m.top().Update(closedMsg{view: closed})
		m.setTop(below)
	} else {
		m.setTop(r.view)
	}
	if r.push != nil {
		m = m.push(r.push)
	}
	if r.flash != "" {
		m.flash = r.flash
	}
	cmds := []tea.Cmd{cmd}
	if r.action != nil {
		var c tea.Cmd
		m, c = m.startActionOn(*r.action)
		cmds = append(cmds, c)
	}
	if r.switchTo != nil {
		var c tea.Cmd
		m, c = m.switchTo(*r.switchTo)
		cmds = append(cmds, c)
	}
	if r.fleet != nil {
		cmds = append(cmds, m.fleetCmd(*r.fleet))
	}
	if r.drill != nil {
		var c tea.Cmd
		m, c = m.drillTo(*r.drill)
		cmds = append(cmds, c)
	}
	return m, tea.Batch(cmds...)
}

// toAll gives msg to every view on the stack: snapshots and the answers
// of commands a view started, which may arrive when it is not on top.
func (m Model) toAll(msg tea.Msg) (Model, tea.Cmd) {
	stack := make([]View, len(m.stack))
	var cmds []tea.Cmd
	for i, v := range m.stack {
		nv, cmd := v.Update(msg)
		if r, ok := nv.(reply); ok {
			// Only keys navigate; a message answered with a reply keeps
			// the view as it was.
			nv = r.view
			if nv == nil {
				nv = v
			}
		}
		stack[i] = nv
		cmds = append(cmds, cmd)
	}
	m.stack = stack
	return m, tea.Batch(cmds...)
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		m.snap = msg.Snapshot
		var cmd tea.Cmd
		m, cmd = m.toAll(msg)
		return m, tea.Batch(cmd, m.waitSnapshot())
	case tickMsg:
		// Nothing to do: the frame drawn after it shows the new time.
		return m, nil
	case switchedMsg:
		return m.switched(msg)
	case fleetStartedMsg:
		return m.fleetStarted(msg)
	case fleetMsg:
		if msg.gen != m.fleetGen || m.fleet == nil {
			return m, nil
		}
		var cmd tea.Cmd
		m, cmd = m.toAll(msg)
		return m, tea.Batch(cmd, m.waitFleet())
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
		cmd := m.launchEditor(msg.edit)
		return m, cmd
	case editorClosedMsg:
		return m.editorClosed(msg)
	case submittedMsg:
		m.busy = ""
		return m.submitted(msg.res)
	case podMsg:
		return m.podRead(msg)
	case shellClosedMsg:
		return m.shellClosed(msg)
	case forwardedMsg:
		m.busy = ""
		if msg.err != nil {
			m.flash = outcome("port-forward", msg.err)
		} else {
			m.flash = "✓ forwarding " + msg.fwd.String() + " (:pf lists and stops)"
		}
		return m, nil
	case forwardStoppedMsg:
		return m.forwardStopped(msg)
	case doneMsg:
		m.busy = ""
		m.flash = outcome(msg.text, msg.err)
		return m.toAll(msg)
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
		return m.toAll(msg)
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		stack := make([]View, len(m.stack))
		for i, v := range m.stack {
			stack[i] = v.SetSize(m.width, m.bodyHeight())
		}
		m.stack = stack
		return m, nil
	case tea.KeyPressMsg:
		m.flash = ""
		return m.handleKey(msg)
	}
	return m.toAll(msg)
}

// typing says whether keys are text for a field: the ":" line or the top
// view's filter or search.
func (m Model) typing() bool {
	if m.cmdline.editing {
		return true
	}
	iv, ok := m.top().(inputView)
	return ok && iv.typing()
}

// targeter is a view actions act from (the list, a node view): it says
// what the action's key means there.
type targeter interface {
	target(a kube.Action) (actionTarget, string)
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.c.keys
	// A quit key that types nothing (ctrl+c) quits even while typing.
	if key.Matches(msg, k.Quit) && msg.Text == "" {
		return m, tea.Quit
	}
	if m.cmdline.editing {
		if m.cmdline.update(msg, k) == inputDone {
			line := m.cmdline.value()
			m.cmdline.clear()
			return m.runCommand(line)
		}
		return m, nil
	}
	if m.typing() {
		return m.toTop(msg)
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
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
		return m, nil
	}
	if _, ok := m.top().(fleetView); ok && key.Matches(msg, k.Command) {
		m.cmdline.start()
		return m, nil
	}
	if _, ok := m.top().(targeter); ok {
		// Keys of the browsing views that reach past the view.
		switch {
		case key.Matches(msg, k.Command):
			m.cmdline.start()
			return m, nil
		case key.Matches(msg, k.Contexts):
			return m.openPicker("context")
		case key.Matches(msg, k.Fleet):
			return m.openPicker(pickFleet)
		}
		for _, x := range actionKeys(k) {
			if key.Matches(msg, x.b) {
				return m.startAction(x.a)
			}
		}
	}
	return m.toTop(msg)
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
	var body []string
	if m.showHelp {
		body = m.helpLines(w, m.bodyHeight())
	} else {
		body = strings.Split(m.top().View(w, m.bodyHeight()), "\n")
	}
	// A view's own header lines may not fit a very short terminal: the
	// frame never grows past it.
	if len(body) > m.bodyHeight() {
		body = body[:m.bodyHeight()]
	}
	if m.dialog != nil && !m.showHelp {
		d := *m.dialog
		if b := d.target.bound; m.switching != "" || b.Context != m.snap.Context || b.Server != m.snap.Server {
			d.nowOn = "context " + orDash(m.snap.Context)
			if m.switching != "" {
				d.nowOn = "the way to context " + m.switching
			}
		}
		body = overlay(body, d.lines(m.c.st, m.c.keys, w, m.bodyHeight()), w, m.bodyHeight())
	}
	lines = append(lines, body...)
	for len(lines) < h-3 {
		lines = append(lines, "")
	}
	lines = append(lines, m.inputLine(w), m.statusLine(w), m.hintLine(w))
	return strings.Join(lines, "\n")
}

func (m Model) titleLine(w int) string {
	ns := m.snap.Namespace
	if ns == "" {
		ns = "all"
	}
	what, scope := "", fmt.Sprintf("context: %s │ namespace: %s", orDash(m.snap.Context), ns)
	for i := len(m.stack) - 1; i >= 0 && what == ""; i-- {
		what = m.stack[i].Title()
		if sv, ok := m.stack[i].(scopedView); ok && what != "" {
			scope = sv.scope()
		}
	}
	s := fmt.Sprintf(" dsx │ %s │ %s", scope, what)
	if m.c.act != nil && m.c.act.ReadOnly() {
		// First, so that no width cuts it off.
		badge := " READ-ONLY │"
		if w < 30 {
			badge = " RO │"
		}
		s = badge + s
	}
	return m.c.st.title.Render(fit(s, w, false))
}

func (m Model) inputLine(w int) string {
	if m.cmdline.editing {
		k := m.c.keys
		return fit(" :"+m.cmdline.text()+"  (ctx · ns · nodes · group · fleet · pf · log · q; "+keyName(k.Enter)+" runs · "+keyName(k.Back)+" cancels)", w, false)
	}
	if iv, ok := m.top().(inputView); ok {
		return iv.inputLine(w)
	}
	return ""
}

func (m Model) statusLine(w int) string {
	st := m.c.st
	// Flash and busy messages quote names, errors and the server's words.
	m.flash, m.busy = kube.SanitizeLine(m.flash), kube.SanitizeLine(m.busy)
	var s string
	now := m.c.now()
	switch {
	case m.busy != "":
		return st.warn.Render(fit(" … "+m.busy, w, false))
	case strings.HasPrefix(m.flash, "✓"):
		return st.good.Render(fit(" "+m.flash, w, false))
	case m.flash != "":
		s = " " + m.flash
		return st.warn.Render(fit(s, w, false))
	case m.switching != "":
		return st.warn.Render(fit(" … switching to context "+m.switching, w, false))
	}
	if fv, ok := m.top().(fleetView); ok && !m.showHelp {
		return fv.status(w)
	}
	switch {
	case m.snap.Conn.Err != nil && !m.snap.Synced:
		s = fmt.Sprintf(" ✗ cannot reach the API server (retrying for %s): %s", age(now, m.snap.Conn.Since), firstLine(m.snap.Conn.Err.Error()))
		return st.bad.Render(fit(s, w, false))
	case m.snap.Conn.Err != nil:
		s = fmt.Sprintf(" ✗ disconnected for %s, data may be stale: %s", age(now, m.snap.Conn.Since), firstLine(m.snap.Conn.Err.Error()))
		return st.bad.Render(fit(s, w, false))
	case !m.snap.Synced:
		s = " … syncing"
	default:
		s = fmt.Sprintf(" ● connected · %d nodes · %d daemon pods", m.snap.Nodes, m.snap.Pods)
		if !m.snap.LastEvent.IsZero() {
			s += " · last event " + wallTime(now, m.snap.LastEvent)
		}
		if m.log != nil {
			if n := m.log.Count(); n > 0 {
				s += fmt.Sprintf(" · %d client messages (:log)", n)
			}
		}
		if len(m.snap.Hidden) > 0 {
			s += " · hidden by RBAC: " + strings.Join(m.snap.Hidden, "; ")
			return st.warn.Render(fit(s, w, false))
		}
	}
	return st.dim.Render(fit(s, w, false))
}

// hintLine shows as many key hints as fit; help and quit always show.
func (m Model) hintLine(w int) string {
	k := m.c.keys
	tail := " · " + hint(k.Help) + " · " + hint(k.Quit)
	s := ""
	bs := m.top().Keys()
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
	return m.c.st.hint.Render(fit(" "+line, w, false))
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
	// Server errors carry cluster text (names, messages, webhook output).
	return kube.SanitizeLine(s)
}
