package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// quickExec returns at once, like a shell the server refuses or an editor
// that fails to start: the case where Bubble Tea's restarted renderer
// raced its stopped one.
type quickExec struct{}

func (quickExec) Run() error          { return nil }
func (quickExec) SetStdin(io.Reader)  {}
func (quickExec) SetStdout(io.Writer) {}
func (quickExec) SetStderr(io.Writer) {}

type execBackMsg struct{}

// execLoop hands the terminal over n times in a row and shows how many
// hand-overs came back.
type execLoop struct {
	exec func(tea.ExecCommand, tea.ExecCallback) tea.Cmd
	n    int
	back int
}

func (m execLoop) run() tea.Cmd {
	return m.exec(quickExec{}, func(error) tea.Msg { return execBackMsg{} })
}

func (m execLoop) Init() tea.Cmd {
	if m.n == 0 {
		return nil
	}
	return m.run()
}

func (m execLoop) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(execBackMsg); ok {
		m.back++
		if m.back < m.n {
			return m, m.run()
		}
	}
	return m, nil
}

func (m execLoop) View() tea.View {
	v := tea.NewView(fmt.Sprintf("back from %d of %d", m.back, m.n))
	v.AltScreen = true
	return v
}

// Every return from the terminal hand-over is drawn. Bubble Tea before
// v2.2.0 could leave its frame ticker stopped for good after a quick
// command (bubbletea issue 1778, seen as about one shell in ten under
// load), and the count below would stop on the screen; dsx relies on the
// fix, so this guards against a version without it.
func TestExecTerminalRepaints(t *testing.T) {
	const n = 40
	_, scr := startTea(t, execLoop{exec: tea.Exec, n: n}, 60, 5)
	want := fmt.Sprintf("back from %d of %d", n, n)
	scr.waitFor(t, 10*time.Second, want, func(s string) bool { return strings.Contains(s, want) })
}

// editLoopActor asks for the editor again until it has run n times, as
// kube does when the server rejects what was saved.
type editLoopActor struct {
	*fakeActor
	n, runs int
}

func (a *editLoopActor) BeginEdit(_ context.Context, b kube.Bound) (kube.Edit, error) {
	return kube.NewCreate(b), nil
}

func (a *editLoopActor) Submit(_ context.Context, e kube.Edit, _ []byte) kube.EditResult {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.runs++
	if a.runs < a.n {
		return kube.EditResult{Reopen: true, Next: e}
	}
	return kube.EditResult{Done: true, Message: fmt.Sprintf("applied after %d editor runs", a.runs)}
}

// The editor takes the same hand-over as the shell: an editor that
// returns at once, again and again, still leaves dsx drawing its screen.
func TestEditorReturnRepaints(t *testing.T) {
	t.Setenv("KUBE_EDITOR", "true")
	a := &editLoopActor{fakeActor: &fakeActor{}, n: 20}
	tm, scr := startModel(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Actor: a}), 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "e")
	scr.waitFor(t, 10*time.Second, "the last editor run's result", func(s string) bool {
		return strings.Contains(s, "✓ applied after 20 editor runs")
	})
}
