package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
	"k8s.io/streaming/pkg/httpstream"
)

// ForwardRequest is a port-forward from a local port to a pod's port.
type ForwardRequest struct {
	// Context is the kubeconfig context the forward runs on; Start sets
	// it.
	Context              string
	Namespace, Pod, Node string
	PodPort              int32
	// Local is the local port; 0 picks one (SuggestLocalPort).
	Local int
}

// Forward is an active port-forward.
type Forward struct {
	ID int
	ForwardRequest
	// Address is where it listens, e.g. 127.0.0.1:8080.
	Address string
	Started time.Time
}

func (f Forward) String() string {
	return fmt.Sprintf("%s → %s/%s:%d on %s", f.Address, f.Namespace, f.Pod, f.PodPort, f.Node)
}

// Forwards is the registry of a session's active port-forwards. Each
// forward lives until it is stopped, its pod goes away or dsx exits.
type Forwards struct {
	mu     sync.Mutex
	next   int
	active map[int]*activeForward
}

type activeForward struct {
	Forward
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func (a *activeForward) halt() {
	a.once.Do(func() { close(a.stop) })
	<-a.done
}

// SuggestLocalPort is port when nothing listens on it on 127.0.0.1,
// else a free port the system picks; 0 when neither can be had.
func SuggestLocalPort(port int) int {
	for _, p := range []int{port, 0} {
		if p < 0 || p > 65535 {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		got := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return got
	}
	return 0
}

// Start opens a forward as kubectl port-forward does: SPDY tunnelled
// over WebSocket, falling back to SPDY where the upgrade fails. It
// returns once the local port listens, or with the reason it cannot.
func (fs *Forwards) Start(ctx context.Context, contextName string, cfg *rest.Config, client kubernetes.Interface, r ForwardRequest) (Forward, error) {
	if r.PodPort <= 0 || r.PodPort > 65535 {
		return Forward{}, fmt.Errorf("port-forward: %d is not a port", r.PodPort)
	}
	if r.Local == 0 {
		r.Local = SuggestLocalPort(int(r.PodPort))
	}
	u := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(r.Namespace).Name(r.Pod).SubResource("portforward").URL()
	rt, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		return Forward{}, err
	}
	dialer := spdy.NewDialerForStreaming(upgrader, &http.Client{Transport: rt}, "POST", u)
	tunnel, err := portforward.NewSPDYOverWebsocketDialerForStreaming(u, cfg)
	if err != nil {
		return Forward{}, err
	}
	dialer = portforward.NewFallbackDialerForStreaming(tunnel, dialer, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	a := &activeForward{stop: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan struct{})
	// Its messages ("Forwarding from …", "Handling connection …") would
	// write over the UI; the registry says the same.
	pf, err := portforward.NewOnAddressesForStreaming(dialer, []string{"127.0.0.1"}, []string{fmt.Sprintf("%d:%d", r.Local, r.PodPort)}, a.stop, ready, io.Discard, io.Discard)
	if err != nil {
		return Forward{}, err
	}
	failed := make(chan error, 1)
	go func() {
		defer close(a.done)
		failed <- pf.ForwardPorts()
	}()
	select {
	case <-ready:
	case err := <-failed:
		if err == nil {
			err = errors.New("stopped before it listened")
		}
		return Forward{}, fmt.Errorf("port-forward to %s/%s:%d: %w", r.Namespace, r.Pod, r.PodPort, err)
	case <-ctx.Done():
		a.once.Do(func() { close(a.stop) })
		return Forward{}, ctx.Err()
	}
	ports, err := pf.GetPorts()
	if err == nil && len(ports) == 1 {
		r.Local = int(ports[0].Local)
	}
	fs.mu.Lock()
	if fs.active == nil {
		fs.active = map[int]*activeForward{}
	}
	fs.next++
	r.Context = contextName
	a.Forward = Forward{ID: fs.next, ForwardRequest: r, Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(r.Local)), Started: time.Now()}
	fs.active[a.ID] = a
	fs.mu.Unlock()
	// A forward whose pod went away ends by itself; it leaves the list.
	go func() {
		<-a.done
		fs.mu.Lock()
		delete(fs.active, a.ID)
		fs.mu.Unlock()
	}()
	return a.Forward, nil
}

// List returns the active forwards, oldest first.
func (fs *Forwards) List() []Forward {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Forward, 0, len(fs.active))
	for _, a := range fs.active {
		out = append(out, a.Forward)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Stop ends one forward and waits until its port is closed.
func (fs *Forwards) Stop(id int) error {
	fs.mu.Lock()
	a, ok := fs.active[id]
	fs.mu.Unlock()
	if !ok {
		return fmt.Errorf("port-forward %d is not active", id)
	}
	a.halt()
	fs.mu.Lock()
	delete(fs.active, id)
	fs.mu.Unlock()
	return nil
}

// StopAll ends every forward.
func (fs *Forwards) StopAll() {
	fs.mu.Lock()
	all := make([]*activeForward, 0, len(fs.active))
	for _, a := range fs.active {
		all = append(all, a)
	}
	fs.active = nil
	fs.mu.Unlock()
	for _, a := range all {
		a.halt()
	}
}

// StartForward opens a forward to the pod b names, on the cluster it was
// chosen on. Under --readonly nothing is attempted.
func (s *Session) StartForward(ctx context.Context, b Bound, r ForwardRequest) (Forward, error) {
	if s.ReadOnly() {
		return Forward{}, fmt.Errorf("port-forward to %s/%s: %w", b.Namespace, b.Name, ErrReadOnly)
	}
	t, _, err := s.bindPod(ctx, b)
	if err != nil {
		return Forward{}, err
	}
	r.Namespace, r.Pod = b.Namespace, b.Name
	return s.forwards.Start(ctx, t.Context, t.Config, t.Client, r)
}

// ActiveForwards lists the session's forwards.
func (s *Session) ActiveForwards() []Forward { return s.forwards.List() }

// StopForward ends one forward.
func (s *Session) StopForward(id int) error { return s.forwards.Stop(id) }
