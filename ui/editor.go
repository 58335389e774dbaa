package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

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

// editorRun runs the user's editor ($KUBE_EDITOR, $EDITOR, vi, chosen as
// kubectl chooses) while Bubble Tea has handed the terminal back. It ends
// the editor when dsx is told to go (hang-up, TERM): dsx then exits and
// names the file that holds the text.
type editorRun struct {
	ctx  context.Context
	path string
}

func (e editorRun) Run() error {
	ed := editor.NewDefaultEditor([]string{"KUBE_EDITOR", "EDITOR"})
	if len(ed.Args) == 0 {
		return fmt.Errorf("no editor defined")
	}
	args := append([]string{}, ed.Args...)
	if ed.Shell {
		args[len(args)-1] += " " + strconv.Quote(e.path)
	} else {
		args = append(args, e.path)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("unable to launch the editor %q: %w", strings.Join(ed.Args, " "), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("there was a problem with the editor %q: %w", strings.Join(ed.Args, " "), err)
		}
		return nil
	case <-e.ctx.Done():
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		return e.ctx.Err()
	}
}
func (editorRun) SetStdin(io.Reader)  {}
func (editorRun) SetStdout(io.Writer) {}
func (editorRun) SetStderr(io.Writer) {}

// launchEditor writes the text to the edit's file, readable by the user
// only (os.CreateTemp makes it 0600), and opens the editor on it. The
// file lives until the server accepted the change: a reopen rewrites it,
// and dsx names it on its way out if it is still there.
func (m *Model) launchEditor(e kube.Edit) tea.Cmd {
	path := m.editFile
	var f *os.File
	var err error
	if path == "" {
		f, err = os.CreateTemp("", "dsx-edit-*.yaml")
	} else {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	}
	if err != nil {
		return func() tea.Msg { return doneMsg{text: "open the editor", err: err} }
	}
	path = f.Name()
	_, err = f.Write(e.Text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if m.editFile == "" {
			os.Remove(path)
		}
		return func() tea.Msg { return doneMsg{text: "open the editor", err: err} }
	}
	m.editFile = path
	return tea.Exec(editorRun{ctx: m.c.ctx, path: path}, func(err error) tea.Msg {
		return editorClosedMsg{edit: e, path: path, err: err}
	})
}

// PendingEdit is the file holding text the user saved (or is editing)
// that the server has not accepted, "" when there is none. dsx prints it
// on its way out.
func (m Model) PendingEdit() string { return m.editFile }

// dropEditFile removes the edit's file once nothing in it can be lost.
func (m *Model) dropEditFile() {
	if m.editFile != "" {
		os.Remove(m.editFile)
		m.editFile = ""
	}
}

// editorClosed reads the file, then sends its text; the file stays until
// the server has the change. When the editor itself failed, the file is
// kept if the user changed it.
func (m Model) editorClosed(msg editorClosedMsg) (Model, tea.Cmd) {
	saved, rerr := os.ReadFile(msg.path)
	if msg.err != nil || rerr != nil {
		err := msg.err
		if err == nil {
			err = rerr
		}
		if rerr == nil && !bytes.Equal(saved, msg.edit.Text) {
			m.editFile = ""
			m.flash = "✗ the editor failed (" + firstLine(err.Error()) + "); nothing sent, your text is in " + msg.path
			return m, nil
		}
		m.dropEditFile()
		m.flash = "✗ the editor failed: " + firstLine(err.Error()) + "; nothing sent (set KUBE_EDITOR or EDITOR)"
		return m, nil
	}
	m.busy = "sending your change to " + msg.edit.Bound.Where() + "…"
	act, ctx, e := m.c.act, m.c.ctx, msg.edit
	return m, func() tea.Msg { return submittedMsg{res: act.Submit(ctx, e, saved)} }
}

func (m Model) submitted(r kube.EditResult) (Model, tea.Cmd) {
	switch {
	case r.Reopen:
		m.busy = ""
		cmd := m.launchEditor(r.Next)
		return m, cmd
	case r.Done:
		m.dropEditFile()
		m.flash = "✓ " + r.Message
	default:
		// Cancelled: nothing changed, or kube kept the text in a file of
		// its own that the message names.
		m.dropEditFile()
		m.flash = "✗ cancelled: " + r.Message
	}
	return m, nil
}
