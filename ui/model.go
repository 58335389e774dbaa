// Package ui holds dsx's Bubble Tea models. They receive immutable
// snapshots from kube/ as messages and never call the API server.
package ui

import (
	"context"
	"fmt"
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

// SnapshotMsg carries a new snapshot into the model.
type SnapshotMsg struct{ Snapshot kube.Snapshot }

// tickMsg refreshes ages and the "disconnected since" clock.
type tickMsg time.Time

// Options configure the model.
type Options struct {
	Context   context.Context
	Source    Source
	Keys      keys.Map
	Now       func() time.Time
	Initial   kube.Snapshot
	TickEvery time.Duration
}

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

	list listView
	// flash is a one-line message in the status bar until the next key.
	flash string
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
	return Model{ctx: o.Context, src: o.Source, keys: o.Keys, now: o.Now, tick: o.TickEvery, st: newStyles(), snap: o.Initial, width: 80, height: 24}
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

func (m Model) tickCmd() tea.Cmd {
	return tea.Tick(m.tick, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update handles one message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case SnapshotMsg:
		m.snap = msg.Snapshot
		m.list.setRows(m.snap.DaemonSets)
		return m, m.waitSnapshot()
	case tickMsg:
		return m, m.tickCmd()
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyPressMsg:
		m.flash = ""
		return m.handleKey(msg)
	}
	return m, nil
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	page := max(m.bodyHeight()-1, 1)
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Up):
		m.list.move(-1)
	case key.Matches(msg, k.Down):
		m.list.move(1)
	case key.Matches(msg, k.PageUp):
		m.list.move(-page)
	case key.Matches(msg, k.PageDown):
		m.list.move(page)
	case key.Matches(msg, k.Top):
		m.list.move(-len(m.list.rows))
	case key.Matches(msg, k.Bottom):
		m.list.move(len(m.list.rows))
	case key.Matches(msg, k.Enter, k.Filter, k.Help, k.Describe, k.YAML, k.Logs, k.Edit, k.Delete, k.Create, k.Restart, k.Undo, k.History, k.Command):
		m.flash = fmt.Sprintf("%s: not yet available", msg.String())
	}
	return m, nil
}

// bodyHeight is the rows left for a view's table: title, status and hint
// lines take three.
func (m Model) bodyHeight() int { return max(m.height-3, 1) }

// View renders the screen; only what fits is drawn.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "dsx"
	return v
}

func (m Model) render() string {
	w, h := m.width, m.height
	if w < 20 || h < 5 {
		return fit("dsx: terminal too small", w, false)
	}
	lines := make([]string, 0, h)
	lines = append(lines, m.titleLine(w))
	body := m.list.render(m.st, w, m.bodyHeight(), m.now(), m.snap)
	lines = append(lines, body...)
	for len(lines) < h-2 {
		lines = append(lines, "")
	}
	lines = append(lines, m.statusLine(w), m.hintLine(w))
	return strings.Join(lines, "\n")
}

func (m Model) titleLine(w int) string {
	ns := m.snap.Namespace
	if ns == "" {
		ns = "all"
	}
	s := fmt.Sprintf(" dsx │ context: %s │ namespace: %s │ %d DaemonSets", orDash(m.snap.Context), ns, len(m.snap.DaemonSets))
	return m.st.title.Render(fit(s, w, false))
}

func (m Model) statusLine(w int) string {
	var s string
	now := m.now()
	switch {
	case m.flash != "":
		s = " " + m.flash
		return m.st.warn.Render(fit(s, w, false))
	case m.snap.Conn.Err != nil:
		s = fmt.Sprintf(" ✗ disconnected for %s, data may be stale: %s", age(now, m.snap.Conn.Since), firstLine(m.snap.Conn.Err.Error()))
		return m.st.bad.Render(fit(s, w, false))
	case !m.snap.Synced:
		s = " … syncing"
	default:
		s = " ● connected"
		if !m.snap.LastEvent.IsZero() {
			s += fmt.Sprintf(" · last event %s ago", age(now, m.snap.LastEvent))
		}
	}
	return m.st.dim.Render(fit(s, w, false))
}

// hintLine shows as many key hints as fit; help and quit always show.
func (m Model) hintLine(w int) string {
	k := m.keys
	tail := " · " + hint(k.Help) + " · " + hint(k.Quit)
	s := ""
	for _, b := range []key.Binding{k.Up, k.Down, k.Enter, k.Filter, k.Describe} {
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
