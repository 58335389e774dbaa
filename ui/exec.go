package ui

import (
	"bytes"
	"runtime"
	"time"

	tea "charm.land/bubbletea/v2"
)

// renderLoop is how Bubble Tea's render goroutine (the closure started by
// Program.startRenderer) appears in a goroutine dump.
var renderLoop = []byte("charm.land/bubbletea/v2.(*Program).startRenderer.func1(")

// renderLoopGrace bounds the wait for the render goroutine: it only has to
// call ticker.Stop and return, so reaching it means something else (another
// Program in the process) matches, and the hand-over goes ahead.
const renderLoopGrace = 2 * time.Second

// execTerminal hands the terminal to c as tea.Exec does, but first waits
// for Bubble Tea's stopped render goroutine to be gone.
//
// Why: releasing the terminal signals the render goroutine and returns
// without waiting for it; the goroutine then stops the shared frame ticker.
// When the command is quick (a shell refused at once, an editor that fails
// to start, a loaded machine), Bubble Tea restarts the renderer and resets
// that ticker before the old goroutine stops it, and from then on no frame
// is ever drawn: dsx still takes keys but its screen stays on whatever the
// command left (bubbletea issue 1778, open as of v2.1.1). Run is called
// after the release and before the restart, so waiting here puts the old
// goroutine's Stop before the restart's Reset.
func execTerminal(c tea.ExecCommand, fn tea.ExecCallback) tea.Cmd {
	return tea.Exec(settledExec{c}, fn)
}

type settledExec struct{ tea.ExecCommand }

func (s settledExec) Run() error {
	waitRenderLoopGone(renderLoopGrace)
	return s.ExecCommand.Run()
}

// waitRenderLoopGone polls the goroutine dump until no render goroutine is
// left or grace has passed.
func waitRenderLoopGone(grace time.Duration) {
	deadline := time.Now().Add(grace)
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if !bytes.Contains(buf[:n], renderLoop) || time.Now().After(deadline) {
			return
		}
		// The goroutine is runnable and only needs a turn.
		time.Sleep(time.Millisecond)
	}
}
