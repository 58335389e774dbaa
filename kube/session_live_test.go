//go:build live

package kube

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/dsx-tui/dsx/testenv"
)

// kubeconfigWithContext writes the plane's kubeconfig with a second
// context on the same cluster (scoped to namespace when set); it returns
// the file and the first context's name.
func kubeconfigWithContext(t *testing.T, name, namespace string) (path, current string) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(plane.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c := *cfg.Contexts[cfg.CurrentContext]
	c.Namespace = namespace
	cfg.Contexts[name] = &c
	path = filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path, cfg.CurrentContext
}

// withSecondContext is kubeconfigWithContext as kubectl's flags.
func withSecondContext(t *testing.T, name, namespace string) (*genericclioptions.ConfigFlags, string) {
	t.Helper()
	path, current := kubeconfigWithContext(t, name, namespace)
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &path
	return flags, current
}

// Switching contexts stops the old informers: after many switches and a
// close, the goroutines are back to where they were.
func TestSessionSwitchLeaksNothing(t *testing.T) {
	ctx := context.Background()
	flags, first := withSecondContext(t, "second", "kube-system")
	target, err := Resolve(flags, false)
	if err != nil {
		t.Fatal(err)
	}
	baseline := runtime.NumGoroutine()
	w, err := Connect(ctx, target, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(flags, target, w)
	for i := range 6 {
		name := "second"
		if i%2 == 1 {
			name = first
		}
		if err := s.Switch(ctx, name, "", false, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		nctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		for snap, err := s.Next(nctx); !snap.Synced || snap.Context != name; snap, err = s.Next(nctx) {
			if err != nil {
				t.Fatalf("switch %d to %s never synced: %v", i, name, err)
			}
		}
		cancel()
	}
	if got := s.Target().Namespace; got != "kube-system" && got != "default" {
		t.Fatalf("namespace after switches = %q", got)
	}
	s.Close()
	testenv.WaitT(t, 30*time.Second, "goroutines back to the baseline", func(context.Context) (bool, error) {
		return runtime.NumGoroutine() <= baseline+5, nil
	})
	t.Logf("goroutines: baseline %d, after 6 switches and close %d", baseline, runtime.NumGoroutine())
}
