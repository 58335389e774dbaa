package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/vt"
)

// syncEnd closes a synchronized-output update (mode 2026): Bubble Tea wraps
// every frame in it once the terminal says it supports the mode, so
// counting it counts frames.
var syncEnd = []byte("\x1b[?2026l")

// The emulator does not know mode 2026, which the terminals people run dsx
// in (kitty, WezTerm, Ghostty, iTerm2, Windows Terminal, foot, …) support:
// the terminal answers Bubble Tea's query itself, "supported, now off",
// as those do.
var (
	syncQuery = []byte("\x1b[?2026$p")
	syncReply = []byte("\x1b[?2026;2$y")
)

// Terminal runs a program in a pseudo-terminal whose output feeds a
// terminal emulator, as a user's terminal would, and counts what arrives.
type Terminal struct {
	Cols, Rows int

	cmd    *exec.Cmd
	master *os.File
	emu    *vt.Emulator
	done   chan struct{}

	mu      sync.Mutex
	changed *sync.Cond
	bytes   int64
	frames  int64
	// tail keeps the last bytes of output, so a frame marker split across
	// two reads is still counted.
	tail    []byte
	lastOut time.Time
	exited  bool

	closeOnce sync.Once
}

// StartTerminal starts name with args in a cols×rows pseudo-terminal.
func StartTerminal(cols, rows int, env []string, name string, args ...string) (*Terminal, error) {
	master, slave, err := openPTY(cols, rows)
	if err != nil {
		return nil, err
	}
	defer slave.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	// The program gets the pty as its controlling terminal, like a shell's
	// child: Bubble Tea opens /dev/tty and reads the size from it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0, Pdeathsig: syscall.SIGKILL}
	t := &Terminal{Cols: cols, Rows: rows, cmd: cmd, master: master, emu: vt.NewEmulator(cols, rows), done: make(chan struct{})}
	t.changed = sync.NewCond(&t.mu)
	if err := cmd.Start(); err != nil {
		master.Close()
		return nil, err
	}
	go t.pump()
	// The emulator answers the program's queries (mode 2026, colours, …)
	// on its input side; a real terminal sends those answers back.
	go func() { _, _ = io.Copy(master, t.emu) }()
	go func() {
		_ = cmd.Wait()
		t.mu.Lock()
		t.exited = true
		t.changed.Broadcast()
		t.mu.Unlock()
		close(t.done)
	}()
	return t, nil
}

// PID is the program's process id.
func (t *Terminal) PID() int { return t.cmd.Process.Pid }

func (t *Terminal) pump() {
	buf := make([]byte, 64<<10)
	for {
		n, err := t.master.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			t.mu.Lock()
			t.bytes += int64(n)
			joined := append(slices.Clip(t.tail), chunk...)
			t.frames += int64(bytes.Count(joined, syncEnd) - bytes.Count(t.tail, syncEnd))
			if bytes.Count(joined, syncQuery) > bytes.Count(t.tail, syncQuery) {
				_, _ = t.master.Write(syncReply)
			}
			keep := min(len(joined), max(len(syncEnd), len(syncQuery))-1)
			t.tail = append(t.tail[:0], joined[len(joined)-keep:]...)
			_, _ = t.emu.Write(chunk)
			t.lastOut = time.Now()
			t.changed.Broadcast()
			t.mu.Unlock()
		}
		if err != nil {
			// EIO once the program and every other holder of the slave
			// side are gone: the end of output.
			t.mu.Lock()
			t.exited = true
			t.changed.Broadcast()
			t.mu.Unlock()
			return
		}
	}
}

// Counters are the totals of output so far.
type Counters struct {
	Bytes, Frames int64
	At            time.Time
}

// Counters returns the output totals now.
func (t *Terminal) Counters() Counters {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Counters{Bytes: t.bytes, Frames: t.frames, At: time.Now()}
}

// Screen is the emulator's text, trailing blanks trimmed.
func (t *Terminal) Screen() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.screenLocked()
}

func (t *Terminal) screenLocked() string {
	lines := strings.Split(t.emu.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// ErrExited is returned by WaitFor when the program ends first.
var ErrExited = errors.New("the program exited")

// WaitFor blocks until cond holds for the screen, checking after every
// chunk of output, and returns when the output that made it hold arrived.
func (t *Terminal) WaitFor(timeout time.Duration, what string, cond func(screen string) bool) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	// The condition variable has no timed wait: a timer broadcasts at the
	// deadline so the loop below can give up.
	timer := time.AfterFunc(timeout, func() {
		t.mu.Lock()
		t.changed.Broadcast()
		t.mu.Unlock()
	})
	defer timer.Stop()
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		scr := t.screenLocked()
		if cond(scr) {
			return t.lastOut, nil
		}
		if t.exited {
			return time.Time{}, fmt.Errorf("waiting for %s: %w; screen:\n%s", what, ErrExited, scr)
		}
		if !time.Now().Before(deadline) {
			return time.Time{}, fmt.Errorf("timed out after %s waiting for %s; screen:\n%s", timeout, what, scr)
		}
		t.changed.Wait()
	}
}

// Type sends keys as a user's typing would.
func (t *Terminal) Type(s string) error {
	_, err := t.master.Write([]byte(s))
	return err
}

// Close ends the program (TERM, then KILL) and the terminal; calls after
// the first do nothing.
func (t *Terminal) Close() { t.closeOnce.Do(t.close) }

func (t *Terminal) close() {
	if t.cmd.Process != nil {
		_ = t.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-t.done:
		case <-time.After(5 * time.Second):
			_ = t.cmd.Process.Kill()
			<-t.done
		}
	}
	t.master.Close()
	t.emu.Close()
}
