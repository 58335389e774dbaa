package ui

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"
)

// screen replays a program's output into a terminal emulator so tests
// assert on what a user would see, not on escape sequences.
type screen struct {
	mu  sync.Mutex
	emu *vt.Emulator
	out io.Reader
}

func newScreen(tm *teatest.TestModel, w, h int) *screen {
	emu := vt.NewEmulator(w, h)
	// The emulator answers terminal queries on its input side; nobody
	// reads them here, so drain them or writes would block.
	go func() { _, _ = io.Copy(io.Discard, emu) }()
	return &screen{emu: emu, out: tm.Output()}
}

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := io.ReadAll(s.out)
	if len(b) > 0 {
		// Bubble Tea leaves LF-to-CRLF to the tty's output processing
		// (onlcr), which a pipe lacks; do it here as the tty would.
		_, _ = s.emu.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
	}
	lines := strings.Split(s.emu.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// waitFor polls the screen until cond holds or timeout passes.
func (s *screen) waitFor(t testing.TB, timeout time.Duration, what string, cond func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		txt := s.text()
		if cond(txt) {
			return txt
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; screen:\n%s", timeout, what, txt)
		}
		<-tick.C
	}
}
