package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/cancelreader"

	"github.com/dsx-tui/dsx/kube"
)

// Streamer opens shells and port-forwards; kube.Session is the real one.
// It is an Actor's optional extra: without it s and F say so. Each
// request carries the pod as it was chosen (context, server, UID), and
// the session refuses it anywhere else.
type Streamer interface {
	Exec(ctx context.Context, b kube.Bound, r kube.ExecRequest) error
	PodContainers(ctx context.Context, b kube.Bound) ([]string, []kube.PodPort, error)
	StartForward(ctx context.Context, b kube.Bound, r kube.ForwardRequest) (kube.Forward, error)
	ActiveForwards() []kube.Forward
	StopForward(id int) error
}

// shellClosedMsg says the shell ended and how.
type shellClosedMsg struct {
	target actionTarget
	err    error
}

// podMsg carries a pod's containers and ports, read fresh for the
// shell's container picker and the port-forward dialog.
type podMsg struct {
	target     actionTarget
	containers []string
	ports      []kube.PodPort
	err        error
}

// forwardedMsg is a started (or failed) port-forward.
type forwardedMsg struct {
	fwd kube.Forward
	err error
}

// forwardStoppedMsg is a forward stopped from :pf; the list of forwards
// takes the ones still active.
type forwardStoppedMsg struct {
	address string
	err     error
	active  []kube.Forward
}

func (c *common) streamer() (Streamer, bool) {
	s, ok := c.act.(Streamer)
	return s, ok
}

// isStream says whether a is a shell or a port-forward: they act on a
// node row's pod, and need a Streamer.
func isStream(a kube.Action) bool { return a == kube.ActShell || a == kube.ActForward }

// podTarget is the node row's pod for a shell or a forward.
func podTarget(a kube.Action, ns string, r kube.NodeRow, ok bool) (actionTarget, string) {
	if !ok || r.Pod == "" {
		return actionTarget{action: a}, string(a) + ": this node has no pod"
	}
	return actionTarget{action: a, namespace: ns, name: r.Pod, uid: r.PodUID, node: r.Node}, ""
}

// proceedStream runs once the access review allowed t: the pod is read
// (on the cluster t is bound to) for its containers and ports.
func (m Model) proceedStream(t actionTarget) (Model, tea.Cmd) {
	st, _ := m.c.streamer()
	m.busy = "reading pod " + t.namespace + "/" + t.name + " " + t.where() + "…"
	ctx := m.c.ctx
	return m, func() tea.Msg {
		cs, ports, err := st.PodContainers(ctx, t.bound)
		return podMsg{target: t, containers: cs, ports: ports, err: err}
	}
}

// podRead opens the shell (asking for the container when there are
// several) or the port-forward dialog.
func (m Model) podRead(msg podMsg) (Model, tea.Cmd) {
	m.busy = ""
	t := msg.target
	if msg.err != nil {
		m.flash = outcome(string(t.action), msg.err)
		return m, nil
	}
	if t.action == kube.ActForward {
		m.dialog = forwardDialog(msg)
		return m, nil
	}
	if len(msg.containers) > 1 {
		m.dialog = &dialog{target: t, title: "Shell in pod " + t.namespace + "/" + t.name + " on node " + t.node + "?",
			confirm: "open shell", choices: msg.containers, choiceLabel: "Container",
			body: []string{"The terminal is handed to the shell; exit it to come back."}}
		return m, nil
	}
	if len(msg.containers) == 1 {
		t.container = msg.containers[0]
	}
	m.busy = "shell in " + t.namespace + "/" + t.name + "…"
	return m, m.openShell(t)
}

// openShell hands the terminal to a shell in t's pod, as the editor
// gets it; dsx comes back when the shell exits.
func (m Model) openShell(t actionTarget) tea.Cmd {
	st, _ := m.c.streamer()
	run := &shellRun{ctx: m.c.ctx, st: st, bound: t.bound, req: kube.ExecRequest{Container: t.container, Command: m.shell, TTY: true},
		banner: fmt.Sprintf("dsx: shell in %s/%s", t.namespace, t.name)}
	if t.container != "" {
		run.banner += " (container " + t.container + ")"
	}
	run.banner += " on node " + t.node + ", context " + t.bound.Context + "; exit to return to dsx"
	return tea.Exec(run, func(err error) tea.Msg { return shellClosedMsg{target: t, err: err} })
}

var exitInWords = regexp.MustCompile(`exit status \d+\s*$`)

// shellClosed shows how the shell ended.
func (m Model) shellClosed(msg shellClosedMsg) (Model, tea.Cmd) {
	m.busy = ""
	t := msg.target
	where := t.namespace + "/" + t.name
	code, ok := kube.ExitStatus(msg.err)
	switch {
	case ok && code == 0:
		m.flash = "✓ shell in " + where + " exited (status 0)"
	case ok:
		m.flash = fmt.Sprintf("✗ shell in %s exited with status %d", where, code)
	case exitInWords.MatchString(firstLine(msg.err.Error())):
		// Runtimes that lose the exit code (kwok, some CRI shims) end
		// their message with it in words: the end is what the user needs.
		text := []rune(firstLine(msg.err.Error()))
		if len(text) > 40 {
			text = append([]rune("…"), text[len(text)-39:]...)
		}
		m.flash = "✗ shell in " + where + " ended: " + string(text)
	default:
		m.flash = outcome("shell in "+where, msg.err)
	}
	return m, nil
}

// forwardDialog offers the pod's declared ports; digits type another.
func forwardDialog(msg podMsg) *dialog {
	t := msg.target
	d := &dialog{target: t, title: "Port-forward to pod " + t.namespace + "/" + t.name + " on node " + t.node + "?",
		confirm: "forward", choiceLabel: "Pod port", ports: msg.ports}
	for _, p := range msg.ports {
		label := strconv.Itoa(int(p.Port))
		if p.Name != "" {
			label += " " + p.Name
		}
		d.choices = append(d.choices, label+" ("+p.Container+")")
	}
	d.body = []string{"Listens on 127.0.0.1 only; :pf lists the forwards and stops them."}
	if len(msg.ports) == 0 {
		d.body = append(d.body, "The pod declares no TCP port: type one.")
	}
	return d
}

// forwardPort is the dialog's pod port and suggested local port: the
// typed port wins over the chosen one.
func (d dialog) forwardPort() (pod int32, local int) {
	if d.input != "" {
		n, _ := strconv.Atoi(d.input)
		return int32(n), 0
	}
	if d.choice < len(d.ports) {
		p := d.ports[d.choice]
		return p.Port, p.Local
	}
	return 0, 0
}

// forwardLines describe the dialog's port choice in its box.
func (d dialog) forwardLines() []string {
	pod, local := d.forwardPort()
	typed := "type digits for another port"
	if d.input != "" {
		typed = "typed: " + d.input + "█ (backspace clears)"
	}
	out := []string{typed}
	switch {
	case pod <= 0 || pod > 65535:
		out = append(out, "no port chosen")
	case local > 0:
		out = append(out, fmt.Sprintf("127.0.0.1:%d → pod port %d", local, pod))
	default:
		out = append(out, fmt.Sprintf("127.0.0.1:(%d, or a free port) → pod port %d", pod, pod))
	}
	return out
}

// startForward is the dialog's confirm.
func (m Model) startForward(d dialog) tea.Cmd {
	st, _ := m.c.streamer()
	pod, local := d.forwardPort()
	t, ctx := d.target, m.c.ctx
	return func() tea.Msg {
		f, err := st.StartForward(ctx, t.bound, kube.ForwardRequest{Node: t.node, PodPort: pod, Local: local})
		return forwardedMsg{fwd: f, err: err}
	}
}

// openForwards is :pf: the active forwards; enter stops one.
func (m Model) openForwards() (Model, tea.Cmd) {
	st, ok := m.c.streamer()
	if !ok {
		m.flash = "port-forward: not available here"
		return m, nil
	}
	p := newPicker(m.c, pickForwards, m.snap.Context)
	p.items = forwardItems(st.ActiveForwards(), m.c.now())
	p.refresh()
	m = m.push(p)
	return m, nil
}

func forwardItems(fs []kube.Forward, now time.Time) []pickItem {
	items := []pickItem{}
	for _, f := range fs {
		items = append(items, pickItem{label: fmt.Sprintf("%s · context %s · for %s", f, f.Context, age(now, f.Started)), value: strconv.Itoa(f.ID), address: f.Address})
	}
	return items
}

// stopForward ends the picked forward off the update loop: it waits
// until the local port is closed.
func (c *common) stopForward(it pickItem) tea.Cmd {
	st, ok := c.streamer()
	if !ok {
		return nil
	}
	return func() tea.Msg {
		id, _ := strconv.Atoi(it.value)
		err := st.StopForward(id)
		return forwardStoppedMsg{address: it.address, err: err, active: st.ActiveForwards()}
	}
}

// forwardStopped says how the stop went; the list takes the message too.
func (m Model) forwardStopped(msg forwardStoppedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.flash = "✗ " + firstLine(msg.err.Error())
	} else {
		m.flash = "✓ stopped port-forward " + msg.address
	}
	return m.toAll(msg)
}

// shellRun runs the exec stream on the real terminal while Bubble Tea
// has handed it back: raw mode, the terminal's size and its resizes.
type shellRun struct {
	ctx    context.Context
	st     Streamer
	bound  kube.Bound
	req    kube.ExecRequest
	banner string
	in     io.Reader
	out    io.Writer
}

func (s *shellRun) SetStdin(r io.Reader)  { s.in = r }
func (s *shellRun) SetStdout(w io.Writer) { s.out = w }
func (*shellRun) SetStderr(io.Writer)     {}

type fdHolder interface{ Fd() uintptr }

func (s *shellRun) Run() error {
	in, out := s.in, s.out
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	fmt.Fprintf(out, "%s\r\n", s.banner)
	sizeFd := ^uintptr(0)
	for _, x := range []any{out, in} {
		if f, ok := x.(fdHolder); ok && term.IsTerminal(f.Fd()) {
			sizeFd = f.Fd()
			break
		}
	}
	if f, ok := in.(fdHolder); ok && term.IsTerminal(f.Fd()) {
		state, err := term.MakeRaw(f.Fd())
		if err != nil {
			return err
		}
		defer term.Restore(f.Fd(), state)
	}
	w, h := 80, 24
	if sizeFd != ^uintptr(0) {
		if cw, ch, err := term.GetSize(sizeFd); err == nil {
			w, h = cw, ch
		}
	}
	sizes := kube.NewSizeQueue(w, h)
	defer sizes.Close()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	defer signal.Stop(winch)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-winch:
				if sizeFd != ^uintptr(0) {
					if cw, ch, err := term.GetSize(sizeFd); err == nil {
						sizes.Push(cw, ch)
					}
				}
			case <-done:
				return
			}
		}
	}()
	// The stream's stdin copy would keep reading the terminal after the
	// shell ended and swallow dsx's next key: its reads are cancelled.
	cr, err := cancelreader.NewReader(in)
	if err != nil {
		return err
	}
	stdin := &stdinReader{cr: cr}
	defer stdin.stop()
	req := s.req
	req.Stdin, req.Stdout, req.Sizes = stdin, out, sizes
	return s.st.Exec(s.ctx, s.bound, req)
}

// stdinReader closes its cancelreader only once no Read is in flight:
// closed while the stream's copy goroutine still waited in it, the
// reader's epoll descriptor could be reused by Bubble Tea's next reader,
// and the stale goroutine would take the user's next key (seen: q lost
// after a shell).
type stdinReader struct {
	mu     sync.RWMutex
	closed bool
	cr     cancelreader.CancelReader
}

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return 0, io.EOF
	}
	return r.cr.Read(p)
}

func (r *stdinReader) stop() {
	r.cr.Cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.cr.Close()
}
