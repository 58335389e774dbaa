package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/dsx-tui/dsx/kube"
)

// Floor is what the same data costs without dsx.
type Floor struct {
	// DaemonSets, Nodes, Pods and Revisions are one bare LIST each, from a
	// fresh client (new connection, TLS handshake included).
	DaemonSets, Nodes, Pods, Revisions time.Duration
	// All is the four LISTs at once from one fresh client: the least a
	// complete cache can cost.
	All time.Duration
	// InformerSync is dsx's own watcher (kube.NewWatcher) listing and
	// syncing every cache, in process, without a terminal.
	InformerSync time.Duration
	// CacheHeap is the live heap the synced watcher holds (after a GC),
	// what the caches cost dsx before the runtime's headroom.
	CacheHeap int64
	// KubectlDS and KubectlPods time `kubectl get ds -A` and
	// `kubectl get pods -A -o wide` as processes; 0 without kubectl.
	KubectlDS, KubectlPods time.Duration
	// Objects counts what the LISTs returned.
	DaemonSetCount, NodeCount, PodCount, RevisionCount int
}

// freshClient is a clientset with its own transport, so every measurement
// pays connection set-up as a starting process does, and no client-side
// throttling.
func freshClient(kubeconfig string) (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = -1, 0
	cfg.Timeout = 2 * time.Minute
	// client-go shares one transport (and its open connections) between
	// clients of equal TLS settings unless a Proxy func is set: setting
	// one makes each client dial and handshake anew.
	cfg.Proxy = http.ProxyFromEnvironment
	return kubernetes.NewForConfig(cfg)
}

// listOnce measures the four LISTs dsx's informers make: DaemonSets, nodes,
// ControllerRevisions and pods carrying a controller-revision-hash, all
// namespaces.
func listOnce(ctx context.Context, c kubernetes.Interface, which string) (time.Duration, int, error) {
	t0 := time.Now()
	var n int
	var err error
	switch which {
	case "ds":
		var l *appsv1.DaemonSetList
		l, err = c.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
		if l != nil {
			n = len(l.Items)
		}
	case "nodes":
		l, e := c.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		err = e
		if l != nil {
			n = len(l.Items)
		}
	case "pods":
		l, e := c.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: appsv1.DefaultDaemonSetUniqueLabelKey})
		err = e
		if l != nil {
			n = len(l.Items)
		}
	case "revisions":
		l, e := c.AppsV1().ControllerRevisions("").List(ctx, metav1.ListOptions{})
		err = e
		if l != nil {
			n = len(l.Items)
		}
	}
	return time.Since(t0), n, err
}

// MeasureFloor takes the median of runs of each floor measurement. With
// heapProfile set, the synced watcher's heap profile is written there.
func MeasureFloor(ctx context.Context, kubeconfig, kubectl string, runs int, heapProfile string) (Floor, error) {
	var f Floor
	one := func(which string, dst *time.Duration, count *int) error {
		var ds []time.Duration
		for range runs {
			c, err := freshClient(kubeconfig)
			if err != nil {
				return err
			}
			d, n, err := listOnce(ctx, c, which)
			if err != nil {
				return fmt.Errorf("LIST %s: %w", which, err)
			}
			ds, *count = append(ds, d), n
		}
		*dst = median(ds)
		return nil
	}
	if err := one("ds", &f.DaemonSets, &f.DaemonSetCount); err != nil {
		return f, err
	}
	if err := one("nodes", &f.Nodes, &f.NodeCount); err != nil {
		return f, err
	}
	if err := one("pods", &f.Pods, &f.PodCount); err != nil {
		return f, err
	}
	if err := one("revisions", &f.Revisions, &f.RevisionCount); err != nil {
		return f, err
	}
	var all []time.Duration
	for range runs {
		c, err := freshClient(kubeconfig)
		if err != nil {
			return f, err
		}
		t0 := time.Now()
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i, w := range []string{"ds", "nodes", "pods", "revisions"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = listOnce(ctx, c, w)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return f, err
			}
		}
		all = append(all, time.Since(t0))
	}
	f.All = median(all)

	var syncs []time.Duration
	for i := range runs {
		profile := ""
		if i == runs-1 {
			profile = heapProfile
		}
		d, heap, err := informerSync(ctx, kubeconfig, profile)
		if err != nil {
			return f, err
		}
		syncs = append(syncs, d)
		f.CacheHeap = max(f.CacheHeap, heap)
	}
	f.InformerSync = median(syncs)

	if kubectl != "" {
		var err error
		if f.KubectlDS, err = timeCommand(runs, kubectl, "--kubeconfig", kubeconfig, "get", "ds", "-A"); err != nil {
			return f, err
		}
		if f.KubectlPods, err = timeCommand(runs, kubectl, "--kubeconfig", kubeconfig, "get", "pods", "-A", "-o", "wide"); err != nil {
			return f, err
		}
	}
	return f, nil
}

// informerSync times dsx's watcher from creation to its first synced
// snapshot, and measures the live heap its caches hold.
func informerSync(ctx context.Context, kubeconfig, heapProfile string) (time.Duration, int64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	c, err := freshClient(kubeconfig)
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	w := kube.NewWatcher(c, kube.WatcherOptions{Context: "bench"})
	w.Start(ctx)
	defer w.Shutdown()
	// Next blocks until the cache changes; the snapshot after the last
	// informer's sync says Synced.
	for {
		s, err := w.Next(ctx)
		if err != nil {
			return 0, 0, fmt.Errorf("informer sync: %w", err)
		}
		if s.Synced {
			d := time.Since(t0)
			runtime.GC()
			runtime.ReadMemStats(&after)
			if heapProfile != "" {
				if err := writeHeapProfile(heapProfile); err != nil {
					return 0, 0, err
				}
			}
			// Keep the watcher reachable until measured.
			runtime.KeepAlive(w)
			return d, int64(after.HeapAlloc) - int64(before.HeapAlloc), nil
		}
	}
}

// timeCommand runs a command runs times after one warm-up (kubectl caches
// discovery on its first run, as it would on a user's machine) and returns
// the median wall time.
func timeCommand(runs int, name string, args ...string) (time.Duration, error) {
	var ds []time.Duration
	for i := range runs + 1 {
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr = nil, os.Stderr
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("%s %v: %w", name, args, err)
		}
		if i > 0 {
			ds = append(ds, time.Since(t0))
		}
	}
	return median(ds), nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.WriteHeapProfile(f)
}
