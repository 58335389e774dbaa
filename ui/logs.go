package ui

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
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
	c       *common
	ns, pod string
	// node is the node the pod runs on, for the title.
	node       string
	containers []string
	container  string
	previous   bool
	// follow keeps the view at the newest line as lines arrive.
	follow bool
	text   textView
	// bytes is what text.lines hold, kept under maxLogBytes.
	bytes   int
	err     error
	ended   bool
	picking bool
	// pick is the selection in the container list.
	pick scroller
	// stream is the identity of the current stream; messages from an
	// older one (before a container or previous switch, or of a log view
	// closed since) are dropped.
	stream *int
	cancel context.CancelFunc
	textSearch
}

// newLogs is the log view of a pod; with several containers it asks
// which one first, with one it starts following it.
func newLogs(c *common, ns, pod, node string, containers []string) (logView, tea.Cmd) {
	lv := logView{c: c, ns: ns, pod: pod, node: node, containers: containers, follow: true, textSearch: textSearch{search: newInput()}}
	lv.pick.setLen(len(containers))
	if len(containers) > 1 {
		lv.picking = true
		return lv, nil
	}
	if len(containers) == 1 {
		lv.container = containers[0]
	}
	cmd := lv.startLogs()
	return lv, cmd
}

type logLinesMsg struct {
	stream *int
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
func (lv *logView) startLogs() tea.Cmd {
	if lv.cancel != nil {
		lv.cancel()
	}
	lv.stream = new(int)
	lv.text.lines, lv.text.offset, lv.bytes, lv.err, lv.ended = nil, 0, 0, nil, false
	lv.find(nil)
	ctx, cancel := context.WithCancel(lv.c.ctx)
	lv.cancel = cancel
	insp, stream := lv.c.insp, lv.stream
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
func readLogChunk(stream *int, ch <-chan logChunk) tea.Cmd {
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

func (lv *logView) add(lines []string) {
	t := &lv.text
	for _, l := range lines {
		l = strings.ReplaceAll(l, "\t", "    ")
		t.lines = append(t.lines, l)
		lv.bytes += len(l)
	}
	over := 0
	for over < len(t.lines) && (len(t.lines)-over > maxLogLines || lv.bytes > maxLogBytes) {
		lv.bytes -= len(t.lines[over])
		over++
	}
	if over > 0 {
		t.lines = append([]string(nil), t.lines[over:]...)
		t.offset = max(t.offset-over, 0)
	}
	if lv.search.value() != "" {
		// Lines cut from the top move the current match up with them.
		cur := -1
		if len(lv.matches) > 0 {
			cur = lv.matches[lv.match] - over
		}
		lv.find(t.lines)
		if i := slices.Index(lv.matches, cur); i >= 0 {
			lv.match = i
		}
	}
	if lv.follow {
		t.toEnd()
	}
}

func (lv *logView) scroll(d int) {
	lv.text.scroll(d)
	// Scrolling up stops following; reaching the end resumes it.
	lv.follow = lv.text.atEnd()
}

func (lv logView) SetSize(width, height int) View {
	// One line is the view's own title; the container list has a line
	// asking for a pick too.
	lv.text.setHeight(height - 1)
	lv.pick.setHeight(height - 2)
	if lv.follow {
		lv.text.toEnd()
	}
	return lv
}

func (lv logView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case logLinesMsg:
		if msg.stream != lv.stream {
			return lv, nil
		}
		lv.add(msg.lines)
		if msg.err != nil {
			lv.err = msg.err
		}
		if msg.done {
			lv.ended = true
			return lv, nil
		}
		return lv, readLogChunk(msg.stream, msg.ch)
	case tea.KeyPressMsg:
		return lv.key(msg)
	}
	return lv, nil
}

func (lv logView) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := lv.c.keys
	if lv.picking {
		switch {
		case scrollKey(msg, k, lv.pick.height, len(lv.containers), lv.pick.move):
		case key.Matches(msg, k.Enter):
			lv.picking = false
			lv.container = lv.containers[lv.pick.pos]
			cmd := lv.startLogs()
			return lv, cmd
		case key.Matches(msg, k.Back):
			lv.picking = false
			if lv.container == "" {
				return pop(), nil
			}
		}
		return lv, nil
	}
	// While a pattern is typed every key is text: f in "buffer" must not
	// toggle follow.
	if handled, changed := lv.search.filterKey(msg, searchKeys(k)); handled {
		if changed {
			lv.find(lv.text.lines)
			if len(lv.matches) > 0 {
				lv.firstMatchFromTop(&lv.text)
				lv.follow = lv.text.atEnd()
			}
		}
		return lv, nil
	}
	switch {
	case key.Matches(msg, k.SearchNext):
		lv.jump(&lv.text, 1)
		lv.follow = lv.text.atEnd()
	case key.Matches(msg, k.SearchPrev):
		lv.jump(&lv.text, -1)
		lv.follow = lv.text.atEnd()
	case key.Matches(msg, k.Back):
		if lv.cancel != nil {
			lv.cancel()
		}
		return pop(), nil
	case scrollKey(msg, k, lv.text.height, len(lv.text.lines), lv.scroll):
	case key.Matches(msg, k.Follow):
		lv.follow = !lv.follow
		if lv.follow {
			lv.text.toEnd()
		}
	case key.Matches(msg, k.Previous):
		lv.previous = !lv.previous
		cmd := lv.startLogs()
		return lv, cmd
	case key.Matches(msg, k.Container):
		if len(lv.containers) <= 1 {
			return flash(lv, "logs: the pod has one container"), nil
		}
		lv.picking = true
	}
	return lv, nil
}

func (lv logView) Title() string { return "logs " + lv.ns + "/" + lv.podOnNode() }

// podOnNode names the pod and, when known, its node: pods of a DaemonSet
// are told apart by their node.
func (lv logView) podOnNode() string {
	if lv.node == "" {
		return lv.pod
	}
	return lv.pod + " on " + lv.node
}

func (lv logView) typing() bool { return lv.search.editing }

func (lv logView) inputLine(w int) string {
	return filterLine(lv.c.st, searchKeys(lv.c.keys), lv.search, w, "search", "")
}

func (lv logView) Keys() []key.Binding {
	k := lv.c.keys
	return []key.Binding{k.Back, k.Search, k.SearchNext, k.SearchPrev, k.Follow, k.Previous, k.Container, k.PageUp, k.PageDown}
}

func (lv logView) header() string {
	s := fmt.Sprintf(" Logs %s/%s [%s]", lv.ns, lv.podOnNode(), lv.container)
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
	return s + lv.matchInfo()
}

func (lv logView) View(width, height int) string {
	st := lv.c.st
	out := []string{st.header.Render(fit(lv.header(), width, false))}
	if lv.picking {
		out = append(out, fit(" Pick a container ("+keyName(lv.c.keys.Enter)+"):", width, false))
		start, end := lv.pick.window()
		for i := start; i < end; i++ {
			line := fit("   "+lv.containers[i], width, false)
			if i == lv.pick.pos {
				line = st.selected.Render(line)
			}
			out = append(out, line)
		}
		return strings.Join(out, "\n")
	}
	if lv.err != nil {
		out = append(out, st.bad.Render(fit(" "+firstLine(lv.err.Error()), width, false)))
	}
	body := max(height-len(out), 1)
	lines := lv.text.lines
	if len(lines) == 0 && lv.err == nil {
		msg := " waiting for log lines…"
		if lv.ended {
			msg = " no log lines"
		}
		return strings.Join(append(out, st.dim.Render(fit(msg, width, false))), "\n")
	}
	// An error line takes a row from the text: the newest lines stay.
	start := max(min(lv.text.offset, len(lines)-body), 0)
	end := min(start+body, len(lines))
	for i, l := range lines[start:end] {
		line := fit(l, width, false)
		if lv.search.value() != "" {
			line = lv.highlight(line, start+i)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
