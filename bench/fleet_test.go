package bench

import (
	"fmt"
	"testing"

	"github.com/dsx-tui/dsx/kube"
)

// syntheticFleet is n clusters with the same d DaemonSets, every other
// cluster one image behind, the last one unreachable.
func syntheticFleet(n, d int) kube.FleetSnapshot {
	s := kube.FleetSnapshot{}
	for c := range n {
		cl := kube.FleetCluster{Context: fmt.Sprintf("ctx-%02d", c), State: kube.ClusterOK, Synced: true, Nodes: 100}
		if c == n-1 {
			cl = kube.FleetCluster{Context: "ctx-unreachable", State: kube.ClusterUnreachable, Err: "dial tcp: connection refused", Nodes: -1}
		} else {
			for i := range d {
				cl.DaemonSets = append(cl.DaemonSets, kube.DaemonSetRow{Namespace: "kube-system", Name: fmt.Sprintf("agent-%02d", i),
					Images: []string{fmt.Sprintf("registry.example/agent-%d:v%d", i, 1+c%2)}, Desired: 100, UpToDate: 100, Ready: 100, Available: 100, Observed: true, Mark: kube.MarkComplete})
			}
		}
		s.Clusters = append(s.Clusters, cl)
	}
	return s
}

// The fleet table of 50 clusters × 20 DaemonSets, built on every fleet
// snapshot.
func BenchmarkFleetTable50(b *testing.B) {
	s := syntheticFleet(50, 20)
	b.ReportAllocs()
	for b.Loop() {
		t := kube.BuildFleetTable(s)
		if len(t.Rows) != 20 || !t.Rows[0].Drift {
			b.Fatal("wrong table")
		}
	}
}
