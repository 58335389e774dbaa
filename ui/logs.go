package ui

import (
	"context"
	"fmt"
	"io"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/kube"
)

// maxLogLines and maxLogBytes bound the log view's memory however long
// it follows a chatty container (a known failure of other tools grew to
// gigabytes): lines of up to kube.MaxLogLine each would otherwise let
// 5,000 of them hold gigabytes too.
const (
	maxLogLines = 5000
	maxLogBytes = 32 << 20
)

// logTail is how many lines a new stream starts with.
const logTail = 1000

// logView shows one container's logs, following them.
type logView struct {
	ns, pod    string
	containers []string
	container  string
	previous   bool
	// follow keeps the view at the newest line as lines arrive.
	follow  bool
	lines   []string
	bytes   int
	offset  int
	err     error
	ended   bool
	picking bool
	pickPos int
	// stream is the id of the current stream; messages from an older
	// one (before a container or previous switch) are dropped.
	stream int
	cancel context.CancelFunc
	back   viewKind
}

type logLinesMsg struct {
	stream int
	lines  []string
	err    error
	done   bool
	ch     <-chan logChunk
}

type logChunk struct {
	line string
	err  error
}

// startLogs opens a stream for the current container and returns the
// command that delivers its lines.
func (m *Model) startLogs() tea.Cmd {
	lv := &m.logs
	if lv.cancel != nil {
		lv.cancel()
	}
	lv.stream++
	lv.lines, lv.bytes, lv.offset, lv.err, lv.ended = nil, 0, 0, nil, false
	ctx, cancel := context.WithCancel(m.ctx)
	lv.cancel = cancel
	insp, stream := m.insp, lv.stream
	ns, pod, container, previous := lv.ns, lv.pod, lv.container, lv.previous
	return func() tea.Msg {
		rc, err := insp.Logs(ctx, ns, pod, container, previous, true, logTail)
		if err != nil {
			return logLinesMsg{stream: stream, err: err, done: true}
		}
		ch := make(chan logChunk, 256)
		go pumpLines(ctx, rc, ch)
		return readLogChunk(stream, ch)()
	}
}

// pumpLines reads the stream line by line (kube cuts overlong lines and
// makes them safe to draw) until it ends or ctx is done.
func pumpLines(ctx context.Context, rc io.ReadCloser, ch chan<- logChunk) {
	defer close(ch)
	go func() {
		<-ctx.Done()
		rc.Close()
	}()
	err := kube.ReadLogLines(rc, kube.MaxLogLine, func(line string) bool {
		select {
		case ch <- logChunk{line: line}:
			return true
		case <-ctx.Done():
			return false
		}
	})
	if err != nil && ctx.Err() == nil {
		ch <- logChunk{err: err}
	}
}

// readLogChunk waits for a line, then takes whatever else is ready, so a
// burst of lines is one message and one redraw.
func readLogChunk(stream int, ch <-chan logChunk) tea.Cmd {
	return func() tea.Msg {
		c, ok := <-ch
		if !ok {
			return logLinesMsg{stream: stream, done: true}
		}
		if c.err != nil {
			return logLinesMsg{stream: stream, err: c.err, done: true}
		}
		msg := logLinesMsg{stream: stream, lines: []string{c.line}, ch: ch}
		for len(msg.lines) < 500 {
			select {
			case c, ok := <-ch:
				if !ok {
					msg.done = true
					return msg
				}
				if c.err != nil {
					msg.err, msg.done = c.err, true
					return msg
				}
				msg.lines = append(msg.lines, c.line)
			default:
				return msg
			}
		}
		return msg
	}
}

func (lv *logView) add(lines []string, height int) {
	for _, l := range lines {
		l = strings.ReplaceAll(l, "\t", "    ")
		lv.lines = append(lv.lines, l)
		lv.bytes += len(l)
	}
	over := 0
	for over < len(lv.lines) && (len(lv.lines)-over > maxLogLines || lv.bytes > maxLogBytes) {
		lv.bytes -= len(lv.lines[over])
		over++
	}
	if over > 0 {
		lv.lines = append([]string(nil), lv.lines[over:]...)
		lv.offset = max(lv.offset-over, 0)
	}
	if lv.follow {
		lv.offset = max(len(lv.lines)-height, 0)
	}
}

func (lv *logView) scroll(d, height int) {
	lv.offset = max(min(lv.offset+d, len(lv.lines)-height), 0)
	// Scrolling up stops following; reaching the end resumes it.
	lv.follow = lv.offset >= len(lv.lines)-height
}

func (lv *logView) title() string {
	s := fmt.Sprintf(" Logs %s/%s [%s]", lv.ns, lv.pod, lv.container)
	if lv.previous {
		s += " · previous container"
	}
	if lv.follow {
		s += " · following"
	} else {
		s += " · paused"
	}
	if lv.ended {
		s += " · stream ended"
	}
	return s
}

func (lv *logView) render(st styles, width, height int) []string {
	out := []string{st.header.Render(fit(lv.title(), width, false))}
	if lv.picking {
		out = append(out, fit(" Pick a container (enter):", width, false))
		for i, c := range lv.containers {
			line := fit("   "+c, width, false)
			if i == lv.pickPos {
				line = st.selected.Render(line)
			}
			out = append(out, line)
		}
		return out
	}
	if lv.err != nil {
		out = append(out, st.bad.Render(fit(" "+firstLine(lv.err.Error()), width, false)))
	}
	body := max(height-len(out), 1)
	if len(lv.lines) == 0 && lv.err == nil {
		msg := " waiting for log lines…"
		if lv.ended {
			msg = " no log lines"
		}
		return append(out, st.dim.Render(fit(msg, width, false)))
	}
	start := max(min(lv.offset, len(lv.lines)-body), 0)
	end := min(start+body, len(lv.lines))
	for _, l := range lv.lines[start:end] {
		out = append(out, fit(l, width, false))
	}
	return out
}
