package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
	"k8s.io/streaming/pkg/httpstream"
)

// DefaultShell is what a shell runs when the config file names none:
// bash where the image has it, else sh.
func DefaultShell() []string {
	return []string{"sh", "-c", "command -v bash >/dev/null && exec bash || exec sh"}
}

// ExecRequest is one command run in a pod's container.
type ExecRequest struct {
	Namespace, Pod, Container string
	Command                   []string
	Stdin                     io.Reader
	Stdout, Stderr            io.Writer
	// TTY asks for a terminal: stderr then arrives on stdout, and Sizes
	// (when set) carries the local terminal's size and every resize.
	TTY   bool
	Sizes *SizeQueue
}

// SizeQueue hands terminal sizes to the exec stream: the first one is
// sent when the stream opens, later ones as the local terminal is
// resized. Only the newest pending size matters.
type SizeQueue struct {
	ch   chan remotecommand.TerminalSize
	once sync.Once
	done chan struct{}
}

// NewSizeQueue starts with the terminal's current size.
func NewSizeQueue(width, height int) *SizeQueue {
	q := &SizeQueue{ch: make(chan remotecommand.TerminalSize, 1), done: make(chan struct{})}
	q.Push(width, height)
	return q
}

// Push replaces any size not yet sent.
func (q *SizeQueue) Push(width, height int) {
	if width <= 0 || height <= 0 {
		return
	}
	s := remotecommand.TerminalSize{Width: uint16(width), Height: uint16(height)}
	for {
		select {
		case q.ch <- s:
			return
		case <-q.done:
			return
		default:
		}
		select {
		case <-q.ch:
		default:
		}
	}
}

// Close ends Next; the stream's resize goroutine returns.
func (q *SizeQueue) Close() { q.once.Do(func() { close(q.done) }) }

// Next is remotecommand.TerminalSizeQueue's method.
func (q *SizeQueue) Next() *remotecommand.TerminalSize {
	select {
	case s := <-q.ch:
		return &s
	case <-q.done:
		return nil
	}
}

// Exec runs r in its pod as kubectl exec does: over WebSocket, falling
// back to SPDY where the server or a proxy cannot upgrade. The error
// carries the command's exit status (ExitStatus).
func Exec(ctx context.Context, cfg *rest.Config, client kubernetes.Interface, r ExecRequest) error {
	if len(r.Command) == 0 {
		return errors.New("exec: no command")
	}
	u := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(r.Namespace).Name(r.Pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: r.Container,
			Command:   r.Command,
			Stdin:     r.Stdin != nil,
			Stdout:    r.Stdout != nil,
			Stderr:    r.Stderr != nil && !r.TTY,
			TTY:       r.TTY,
		}, scheme.ParameterCodec).URL()
	spdyExec, err := remotecommand.NewSPDYExecutor(cfg, "POST", u)
	if err != nil {
		return err
	}
	// WebSocket upgrades are GETs (RFC 6455), authorised as create.
	wsExec, err := remotecommand.NewWebSocketExecutor(cfg, "GET", u.String())
	if err != nil {
		return err
	}
	ex, err := remotecommand.NewFallbackExecutor(wsExec, spdyExec, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return err
	}
	opts := remotecommand.StreamOptions{Stdin: r.Stdin, Stdout: r.Stdout, Tty: r.TTY}
	if !r.TTY {
		opts.Stderr = r.Stderr
	}
	if r.Sizes != nil {
		opts.TerminalSizeQueue = r.Sizes
	}
	return ex.StreamWithContext(ctx, opts)
}

// ExitStatus is the remote command's exit status from Exec's error: 0
// for nil, and false when the error is not a command's exit.
func ExitStatus(err error) (int, bool) {
	if err == nil {
		return 0, true
	}
	var e utilexec.ExitError
	if errors.As(err, &e) {
		return e.ExitStatus(), true
	}
	return 0, false
}

// Exec runs a command in the pod b names, on the cluster it was chosen
// on. Under --readonly nothing is attempted: an exec changes what runs
// in the cluster.
func (s *Session) Exec(ctx context.Context, b Bound, r ExecRequest) error {
	if s.ReadOnly() {
		return fmt.Errorf("shell in %s/%s: %w", b.Namespace, b.Name, ErrReadOnly)
	}
	t, _, err := s.bindPod(ctx, b)
	if err != nil {
		return err
	}
	r.Namespace, r.Pod = b.Namespace, b.Name
	return Exec(ctx, t.Config, t.Client, r)
}

// bindPod is bind for a pod a stream goes to: exec and port-forward
// take no UID precondition, so the pod is read first and refused when
// the one of that name is another (deleted and re-created by its
// DaemonSet) or gone.
func (s *Session) bindPod(ctx context.Context, b Bound) (*Target, *corev1.Pod, error) {
	t, err := s.bind(b, true)
	if err != nil {
		return nil, nil, err
	}
	p, err := t.Client.CoreV1().Pods(b.Namespace).Get(ctx, b.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil, &ReplacedError{Chosen: b}
	}
	if err != nil {
		return nil, nil, err
	}
	if p.UID != b.UID {
		return nil, nil, &ReplacedError{Chosen: b, Now: p.UID}
	}
	return t, p, nil
}

// PodPort is a port a pod's container declares, with the local port a
// forward to it would use.
type PodPort struct {
	Container string
	Name      string
	Port      int32
	Protocol  corev1.Protocol
	// Local is the suggested local port: the same number when free.
	Local int
}

// PodContainers names the containers of the pod b names and the ports
// they declare, fetched fresh: the cache keeps neither ports nor a pod's
// later changes.
func (s *Session) PodContainers(ctx context.Context, b Bound) ([]string, []PodPort, error) {
	_, p, err := s.bindPod(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	var ports []PodPort
	for _, c := range p.Spec.Containers {
		names = append(names, c.Name)
		for _, cp := range c.Ports {
			if cp.Protocol != "" && cp.Protocol != corev1.ProtocolTCP {
				// Port-forwarding carries TCP only.
				continue
			}
			ports = append(ports, PodPort{Container: c.Name, Name: cp.Name, Port: cp.ContainerPort, Protocol: corev1.ProtocolTCP, Local: SuggestLocalPort(int(cp.ContainerPort))})
		}
	}
	return names, ports, nil
}
