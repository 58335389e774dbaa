//go:build live

package kube

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// targetFor resolves kubeconfig (namespace ns) and gives the target a
// client whose requests pass through wrap.
func targetFor(t *testing.T, kubeconfig, ns string, wrap func(http.RoundTripper) http.RoundTripper) *Target {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &kubeconfig
	flags.Namespace = &ns
	target, err := Resolve(flags, false)
	if err != nil {
		t.Fatal(err)
	}
	cfg := rest.CopyConfig(target.Config)
	cfg.Wrap(wrap)
	if target.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
	return target
}

// waitSynced takes w's snapshots until one says every cache has synced.
func waitSynced(ctx context.Context, t *testing.T, w *Watcher) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		snap, err := w.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Synced {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the watcher never synced")
		}
	}
}

func isDaemonSetRequest(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/daemonsets")
}

// The first screen is the DaemonSet list: Connect asks for it beside the
// access reviews, not after them. The order is proven by the transport:
// every access review is held until a DaemonSet list or watch has been
// sent, or until a deadline far beyond the round trips involved; a
// Connect that waited for the reviews before listing would only get
// past them by that deadline.
func TestConnectListsDaemonSetsFirstLive(t *testing.T) {
	const ns = "early-first"
	plane.Namespace(t, ns)
	listed := make(chan struct{})
	var once sync.Once
	var heldTooLong atomic.Bool
	target := targetFor(t, plane.Kubeconfig, ns, func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if isDaemonSetRequest(r) {
				once.Do(func() { close(listed) })
			}
			if strings.HasSuffix(r.URL.Path, "/selfsubjectaccessreviews") {
				select {
				case <-listed:
				case <-time.After(5 * time.Second):
					heldTooLong.Store(true)
				}
			}
			return rt.RoundTrip(r)
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := Connect(ctx, target, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	if heldTooLong.Load() {
		t.Fatal("no DaemonSet list was asked for while the access reviews were pending")
	}
	if !w.Access().DaemonSets {
		t.Fatalf("access %v: the admin may list DaemonSets", w.Access())
	}
	// The early informer is the watcher's: its list reaches snapshots.
	waitSynced(ctx, t, w)
}

// Without the right to list DaemonSets the early list is stopped before
// Connect returns: no DaemonSet request is left open, none is made after,
// and the watcher has no DaemonSet informer.
func TestConnectStopsEarlyListWithoutRightsLive(t *testing.T) {
	const ns = "early-norights"
	plane.Namespace(t, ns)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u, err := plane.CreateUser(ctx, "no-ds", ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var open, sent atomic.Int64
	target := targetFor(t, u.Kubeconfig, ns, func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if !isDaemonSetRequest(r) {
				return rt.RoundTrip(r)
			}
			sent.Add(1)
			open.Add(1)
			resp, err := rt.RoundTrip(r)
			if err != nil || resp == nil {
				open.Add(-1)
				return resp, err
			}
			resp.Body = &closeCounter{ReadCloser: resp.Body, open: &open}
			return resp, nil
		})
	})
	w, early, err := connect(ctx, target, 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	if !early.isStopped() {
		t.Fatal("the early DaemonSet informer still runs after the access reviews refused it")
	}
	if w.Access().DaemonSets {
		t.Fatalf("access %v: the user may not list DaemonSets", w.Access())
	}
	if sent.Load() == 0 {
		t.Fatal("Connect never asked for the DaemonSets early")
	}
	if n := open.Load(); n != 0 {
		t.Fatalf("%d DaemonSet requests still open after Connect", n)
	}
	atConnect := sent.Load()
	// Until the watcher has synced its pods (a list and a watch later),
	// no DaemonSet request follows.
	waitSynced(ctx, t, w)
	if n := sent.Load(); n != atConnect {
		t.Fatalf("%d DaemonSet requests after Connect returned", n-atConnect)
	}
}

// closeCounter counts a response body's close once.
type closeCounter struct {
	io.ReadCloser
	open *atomic.Int64
	once sync.Once
}

func (c *closeCounter) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.ReadCloser.Close()
}
