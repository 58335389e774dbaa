package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/testenv"
)

// FleetConfig is the fleet scenario of issue 16: Contexts contexts, one
// of them unreachable (nothing listens at its address), the others spread
// round-robin over Planes real control planes.
type FleetConfig struct {
	Contexts, Planes int
	// DaemonSets per plane, each on NodesPerPlane nodes.
	DaemonSets, NodesPerPlane int
	Progress                  io.Writer
}

// FleetResult are the figures of one fleet run.
type FleetResult struct {
	Config FleetConfig
	// Floor is a plain client per reachable context listing its
	// DaemonSets, all at once: when "the reachable ones answer".
	Floor time.Duration
	// Complete is the fleet's start to its first snapshot in which every
	// reachable cluster is listed and the unreachable one is said so.
	Complete time.Duration
	// Table is building the fleet table of that snapshot.
	Table time.Duration
	// HeapPerCluster is the live heap the fleet holds, per context.
	HeapPerCluster int64
	// RSSPerCluster is the growth of the process's anonymous RSS (heap,
	// stacks, the runtime's spare pages) per context.
	RSSPerCluster int64
	// Unreachable is what the unreachable context's column says.
	Unreachable kube.ClusterState
}

// RunFleet starts the planes, writes the kubeconfig and measures.
func RunFleet(ctx context.Context, cfg FleetConfig) (FleetResult, error) {
	res := FleetResult{Config: cfg}
	logf := func(format string, a ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", a...)
		}
	}
	planes := make([]*testenv.Plane, cfg.Planes)
	var wg sync.WaitGroup
	errs := make([]error, cfg.Planes)
	for i := range planes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			planes[i], errs[i] = testenv.Start(ctx, testenv.Options{ContextName: fmt.Sprintf("plane-%d", i)})
		}()
	}
	wg.Wait()
	defer func() {
		for _, p := range planes {
			if p != nil {
				p.Stop()
			}
		}
	}()
	for _, err := range errs {
		if err != nil {
			return res, err
		}
	}
	for i, p := range planes {
		if _, err := p.AddNodes(ctx, fmt.Sprintf("p%d-n", i), cfg.NodesPerPlane, testenv.NodeSpec{}); err != nil {
			return res, err
		}
		for d := range cfg.DaemonSets {
			ds := testenv.DaemonSet("default", fmt.Sprintf("agent-%d", d), fmt.Sprintf("registry.example/agent-%d:v%d", d, 1+i%2))
			if _, err := p.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
				return res, err
			}
		}
	}
	logf("fleet: %d planes with %d nodes and %d DaemonSets each", cfg.Planes, cfg.NodesPerPlane, cfg.DaemonSets)
	dir, err := os.MkdirTemp("", "dsx-fleet-bench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	path, names, err := fleetKubeconfig(dir, planes, cfg.Contexts)
	if err != nil {
		return res, err
	}
	// The floor: a fresh client per reachable context, all listing at
	// once; the second of two runs, so that neither side pays for the API
	// servers' cold caches.
	reach := names[:len(names)-1]
	for range 2 {
		if res.Floor, err = listAll(ctx, path, reach); err != nil {
			return res, err
		}
	}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	rssBefore, _ := RSSAnon(os.Getpid())
	cf := kube.NewConfigFlags()
	*cf.KubeConfig = path
	t1 := time.Now()
	f := kube.NewFleet(kube.ResolveFleet(cf, names, true), "", kube.FleetOptions{ConnectTimeout: 10 * time.Second})
	f.Start(ctx)
	defer f.Shutdown()
	snap := f.Snapshot()
	for !snap.Complete() {
		if snap, err = f.Next(ctx); err != nil {
			return res, err
		}
	}
	res.Complete = time.Since(t1)
	t2 := time.Now()
	tab := kube.BuildFleetTable(snap)
	res.Table = time.Since(t2)
	res.Unreachable = snap.Clusters[len(snap.Clusters)-1].State
	if len(tab.Rows) != cfg.DaemonSets {
		return res, fmt.Errorf("fleet table has %d rows, want %d", len(tab.Rows), cfg.DaemonSets)
	}
	// Node counts in, then the steady heap.
	for {
		ok := true
		for _, c := range snap.Clusters[:len(snap.Clusters)-1] {
			ok = ok && c.Nodes == cfg.NodesPerPlane
		}
		if ok {
			break
		}
		if snap, err = f.Next(ctx); err != nil {
			return res, err
		}
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	res.HeapPerCluster = (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / int64(cfg.Contexts)
	if rssAfter, err := RSSAnon(os.Getpid()); err == nil {
		res.RSSPerCluster = (rssAfter - rssBefore) / int64(cfg.Contexts)
	}
	runtime.KeepAlive(f)
	return res, nil
}

// fleetKubeconfig writes contexts ctx-00 … round-robin over the planes,
// the last one pointing where nothing listens.
func fleetKubeconfig(dir string, planes []*testenv.Plane, contexts int) (string, []string, error) {
	cfg := clientcmdapi.NewConfig()
	for i, p := range planes {
		c, err := clientcmd.LoadFromFile(p.Kubeconfig)
		if err != nil {
			return "", nil, err
		}
		cx := c.Contexts[c.CurrentContext]
		name := fmt.Sprintf("plane-%d", i)
		cfg.Clusters[name], cfg.AuthInfos[name] = c.Clusters[cx.Cluster], c.AuthInfos[cx.AuthInfo]
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	gone := l.Addr().String()
	l.Close()
	cfg.Clusters["gone"] = &clientcmdapi.Cluster{Server: "https://" + gone, CertificateAuthorityData: cfg.Clusters["plane-0"].CertificateAuthorityData}
	cfg.AuthInfos["gone"] = &clientcmdapi.AuthInfo{Token: "t"}
	var names []string
	for i := range contexts {
		name := fmt.Sprintf("ctx-%02d", i)
		target := fmt.Sprintf("plane-%d", i%len(planes))
		if i == contexts-1 {
			name, target = "ctx-unreachable", "gone"
		}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: target, AuthInfo: target}
		names = append(names, name)
	}
	sort.Strings(names[:len(names)-1])
	cfg.CurrentContext = names[0]
	path := filepath.Join(dir, "kubeconfig")
	return path, names, clientcmd.WriteToFile(*cfg, path)
}

// WriteFleetTable prints the fleet figures as Markdown.
func WriteFleetTable(w io.Writer, r FleetResult) {
	c := r.Config
	fmt.Fprintf(w, "| measurement | target | %d contexts on %d planes (%d DS × %d nodes each), 1 unreachable |\n|---|---|---:|\n", c.Contexts, c.Planes, c.DaemonSets, c.NodesPerPlane)
	fmt.Fprintf(w, "| floor: every reachable context LISTs its DaemonSets (F) |  | %s |\n", ms(r.Floor))
	over := r.Complete - r.Floor
	fmt.Fprintf(w, "| **fleet start → first complete snapshot** | ≤ F + 2 s | %s (F + %s) %s |\n", ms(r.Complete), ms(max(over, 0)), mark(over <= 2*time.Second))
	fmt.Fprintf(w, "| fleet table of that snapshot |  | %.2f ms |\n", float64(r.Table)/float64(time.Millisecond))
	fmt.Fprintf(w, "| **live heap per context** | ≤ 5 MB | %.2f MB %s |\n", mb(r.HeapPerCluster), mark(r.HeapPerCluster <= 5<<20))
	fmt.Fprintf(w, "| anonymous RSS growth per context |  | %.2f MB |\n", mb(r.RSSPerCluster))
	fmt.Fprintf(w, "| the unreachable context's column |  | %s |\n", r.Unreachable)
}

// listAll lists DaemonSets through a fresh client per context, all at once.
func listAll(ctx context.Context, path string, contexts []string) (time.Duration, error) {
	t0 := time.Now()
	errc := make(chan error, len(contexts))
	for _, n := range contexts {
		go func() {
			cc, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(&clientcmd.ClientConfigLoadingRules{ExplicitPath: path}, &clientcmd.ConfigOverrides{CurrentContext: n}).ClientConfig()
			if err == nil {
				// A transport of its own, as each fleet member has.
				cc.Proxy = http.ProxyFromEnvironment
				var c kubernetes.Interface
				c, err = kubernetes.NewForConfig(cc)
				if err == nil {
					_, err = c.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
				}
			}
			errc <- err
		}()
	}
	for range contexts {
		if err := <-errc; err != nil {
			return 0, err
		}
	}
	return time.Since(t0), nil
}
