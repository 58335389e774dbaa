package testenv

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// ScaleOptions are the plane options for a scale scenario of n nodes: the
// controllers' QPS raised so tens of thousands of daemon pods are made in
// minutes, and node leases long enough that fake kubelets' renewals neither
// eat the machine the benchmark measures on nor, delayed by the set-up's
// load, let the node-lifecycle controller call nodes NotReady: it then
// marks their pods unready, and kwok, unlike a kubelet, never marks them
// ready again (seen at 1,000 nodes with the default 40 s lease).
func ScaleOptions(n int) Options {
	o := Options{ControllerQPS: 500, SchedulerQPS: 500, NodeLeaseSeconds: 240, NodeMonitorGrace: 5 * time.Minute}
	switch {
	case n <= 100:
		// Small scenarios are set up in seconds: the defaults are fine.
		o.NodeLeaseSeconds, o.NodeMonitorGrace = 0, 0
	case n > 1000:
		// At 5,000 nodes kwok, readying 50,000 pods on the same two
		// cores, once fell more than 5 minutes behind on some leases:
		// 1,530 pods were marked unready ten minutes into the set-up
		// and the DaemonSets never settled.
		o.NodeMonitorGrace = 20 * time.Minute
	}
	return o
}

// Scale describes a scale scenario: Nodes fake nodes and DaemonSets
// DaemonSets in Namespace that tolerate everything, so each has one pod per
// node.
type Scale struct {
	Nodes, DaemonSets int
	// Namespace holds the DaemonSets; "" means "bench".
	Namespace string
	// NodePrefix names nodes prefix-0 …; "" means "kwok-node".
	NodePrefix string
	// Workers is how many creations run at once; 0 means 64.
	Workers int
	// Progress receives one line per phase; nil discards.
	Progress io.Writer
}

// ScaleResult says how long each phase of the set-up took.
type ScaleResult struct {
	Namespace         string
	DaemonSetNames    []string
	NodesCreated      time.Duration
	NodesReady        time.Duration
	DaemonSetsSettled time.Duration
}

// DaemonSetName is the name of the scenario's i-th DaemonSet; names sort in
// index order, so ds-00 is the first row of dsx's list.
func DaemonSetName(i int) string { return fmt.Sprintf("ds-%02d", i) }

// Scale creates the scenario and waits until every node is Ready and
// every DaemonSet has a ready, up-to-date pod on every node.
func (p *Plane) Scale(ctx context.Context, s Scale) (ScaleResult, error) {
	if s.Namespace == "" {
		s.Namespace = "bench"
	}
	if s.NodePrefix == "" {
		s.NodePrefix = "kwok-node"
	}
	if s.Workers == 0 {
		s.Workers = 64
	}
	if s.Progress == nil {
		s.Progress = io.Discard
	}
	say := func(f string, a ...any) { fmt.Fprintf(s.Progress, "scale: "+f+"\n", a...) }
	res := ScaleResult{Namespace: s.Namespace}
	// Set-up time grows with the object count; a stuck phase must still
	// end in an error, not a hang. 50,000 pods have taken 14 to over 22
	// minutes here (kwok readies them four at a time).
	budget := 5*time.Minute + time.Duration(s.Nodes*max(s.DaemonSets, 1))*40*time.Millisecond

	t0 := time.Now()
	say("creating %d nodes with %d workers", s.Nodes, s.Workers)
	if err := p.createNodes(ctx, s); err != nil {
		return res, err
	}
	res.NodesCreated = time.Since(t0)
	say("nodes created in %s; waiting for kwok to make them Ready", res.NodesCreated.Round(time.Millisecond))
	if err := Wait(ctx, budget, fmt.Sprintf("%d Ready nodes", s.Nodes), func(ctx context.Context) (bool, error) {
		// ResourceVersion 0 is served from the API server's watch cache:
		// polling thousands of nodes must not load etcd.
		l, err := p.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return false, nil
		}
		ready := 0
		for i := range l.Items {
			if NodeReady(&l.Items[i]) {
				ready++
			}
		}
		return ready >= s.Nodes, nil
	}); err != nil {
		return res, err
	}
	res.NodesReady = time.Since(t0)

	if err := p.EnsureNamespace(ctx, s.Namespace); err != nil {
		return res, err
	}
	if err := p.WaitDefaultServiceAccount(ctx, s.Namespace); err != nil {
		return res, err
	}
	t1 := time.Now()
	say("creating %d DaemonSets in %s", s.DaemonSets, s.Namespace)
	for i := range s.DaemonSets {
		ds := ScaleDaemonSet(s.Namespace, DaemonSetName(i))
		if _, err := p.Client.AppsV1().DaemonSets(s.Namespace).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			return res, err
		}
		res.DaemonSetNames = append(res.DaemonSetNames, ds.Name)
	}
	want := int32(s.Nodes)
	lastSaid := time.Now()
	if err := Wait(ctx, budget, fmt.Sprintf("%d DaemonSets of %d pods", s.DaemonSets, s.Nodes), func(ctx context.Context) (bool, error) {
		l, err := p.Client.AppsV1().DaemonSets(s.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		settled, ready := 0, int32(0)
		for i := range l.Items {
			ds := &l.Items[i]
			ready += ds.Status.NumberReady
			if ds.Status.DesiredNumberScheduled == want && DaemonSetSettled(ds) {
				settled++
			}
		}
		if time.Since(lastSaid) > 15*time.Second {
			lastSaid = time.Now()
			say("%d/%d daemon pods ready after %s", ready, int(want)*s.DaemonSets, time.Since(t1).Round(time.Second))
		}
		return settled == s.DaemonSets, nil
	}); err != nil {
		return res, err
	}
	res.DaemonSetsSettled = time.Since(t1)
	say("%d DaemonSets settled in %s", s.DaemonSets, res.DaemonSetsSettled.Round(time.Millisecond))
	return res, nil
}

// ScaleDaemonSet is a scenario DaemonSet: it tolerates every taint (nodes
// carry the not-ready taint for a moment after they register) and rolls
// 10% of nodes at a time, as big fleets are configured.
func ScaleDaemonSet(namespace, name string) *appsv1.DaemonSet {
	ds := DaemonSet(namespace, name, "example.com/agent:1.0")
	ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Operator: corev1.TolerationOpExists}}
	ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromString("10%"))
	return ds
}

// createNodes creates the scenario's nodes from a pool of workers: one
// client call per node, many in flight, is the fastest way through the
// API server's admission and etcd writes.
func (p *Plane) createNodes(ctx context.Context, s Scale) error {
	idx := make(chan int)
	errc := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				if _, err := p.AddNode(ctx, fmt.Sprintf("%s-%d", s.NodePrefix, i), NodeSpec{}); err != nil {
					select {
					case errc <- fmt.Errorf("creating node %d: %w", i, err):
					default:
					}
					cancel()
				}
			}
		}()
	}
feed:
	for i := range s.Nodes {
		select {
		case idx <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(idx)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return ctx.Err()
	}
}
