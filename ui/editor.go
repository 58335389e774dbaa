package ui

import (
	"bytes"
	"io"
	"os"

	tea "charm.land/bubbletea/v2"
	"k8s.io/kubectl/pkg/cmd/util/editor"

	"github.com/dsx-tui/dsx/kube"
)

// editReadyMsg carries the text to open the editor on.
type editReadyMsg struct {
	edit kube.Edit
	err  error
}

// editorClosedMsg says the user left the editor.
type editorClosedMsg struct {
	edit kube.Edit
	path string
	err  error
}

// submittedMsg is the server's answer to what the user saved.
type submittedMsg struct{ res kube.EditResult }

// editorRun runs kubectl's editor launcher ($KUBE_EDITOR, $EDITOR, vi)
// while Bubble Tea has handed the terminal back.
type editorRun struct{ path string }

func (e editorRun) Run() error {
	return editor.NewDefaultEditor([]string{"KUBE_EDITOR", "EDITOR"}).Launch(e.path)
}
func (editorRun) SetStdin(io.Reader)  {}
func (editorRun) SetStdout(io.Writer) {}
func (editorRun) SetStderr(io.Writer) {}

// launchEditor writes the text to a temporary file, readable by the user
// only (os.CreateTemp makes it 0600), and opens the editor on it.
func (m Model) launchEditor(e kube.Edit) tea.Cmd {
	f, err := os.CreateTemp("", "dsx-edit-*.yaml")
	if err != nil {
		return func() tea.Msg { return doneMsg{text: "open the editor", err: err} }
	}
	path := f.Name()
	_, err = f.Write(e.Text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return func() tea.Msg { return doneMsg{text: "open the editor", err: err} }
	}
	return tea.Exec(editorRun{path: path}, func(err error) tea.Msg {
		return editorClosedMsg{edit: e, path: path, err: err}
	})
}

// editorClosed reads and removes the file, then sends its text. When the
// editor itself failed, the file is kept if the user changed it.
func (m Model) editorClosed(msg editorClosedMsg) (Model, tea.Cmd) {
	saved, rerr := os.ReadFile(msg.path)
	if msg.err != nil || rerr != nil {
		err := msg.err
		if err == nil {
			err = rerr
		}
		if rerr == nil && !bytes.Equal(saved, msg.edit.Text) {
			m.flash = "✗ the editor failed (" + firstLine(err.Error()) + "); nothing sent, your text is in " + msg.path
			return m, nil
		}
		os.Remove(msg.path)
		m.flash = "✗ the editor failed: " + firstLine(err.Error()) + "; nothing sent (set KUBE_EDITOR or EDITOR)"
		return m, nil
	}
	os.Remove(msg.path)
	m.busy = "sending your change…"
	act, ctx, e := m.c.act, m.c.ctx, msg.edit
	return m, func() tea.Msg { return submittedMsg{res: act.Submit(ctx, e, saved)} }
}

func (m Model) submitted(r kube.EditResult) (Model, tea.Cmd) {
	switch {
	case r.Reopen:
		m.busy = ""
		return m, m.launchEditor(r.Next)
	case r.Done:
		m.flash = "✓ " + r.Message
	default:
		m.flash = "✗ cancelled: " + r.Message
	}
	return m, nil
}
