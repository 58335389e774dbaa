package ui

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/testenv"
)

var plane *testenv.Plane

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(ctx context.Context, p *testenv.Plane) error {
		plane = p
		_, err := p.AddNodes(ctx, "node", 20, testenv.NodeSpec{Labels: map[string]string{"pool": "test"}})
		return err
	}))
}

// rowRE matches a DaemonSet's row with the given counts, whatever the
// column widths.
func rowRE(ns, name string, counts ...string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(ns) + `\s+` + regexp.QuoteMeta(name) + `\s+` + strings.Join(counts, `\s+`) + `\s`)
}

// The list follows the real cluster: a DaemonSet's row reaches 20 ready
// pods, then 21 when a node joins.
func TestListLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := kube.NewWatcher(plane.Client, kube.WatcherOptions{Context: "dsx-testenv"})
	w.Start(ctx)
	defer w.Shutdown()
	m := New(Options{Context: ctx, Source: w, Keys: keys.Default(), Initial: w.Snapshot()})
	_, scr := startModel(t, m, 120, 30)

	ds := testenv.DaemonSet("default", "live-agent", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// DESIRED CURRENT READY UP-TO-DATE AVAILABLE MISSCHEDULED
	scr.waitFor(t, 2*time.Minute, "live-agent with 20 ready", func(s string) bool {
		return rowRE("default", "live-agent", "20", "20", "20", "20", "20", "0").MatchString(s)
	})
	if _, err := plane.AddNode(ctx, "node-late", testenv.NodeSpec{Labels: map[string]string{"pool": "test"}}); err != nil {
		t.Fatal(err)
	}
	txt := scr.waitFor(t, 2*time.Minute, "live-agent with 21 ready", func(s string) bool {
		return rowRE("default", "live-agent", "21", "21", "21", "21", "21", "0").MatchString(s)
	})
	if !strings.Contains(txt, "connected") {
		t.Errorf("status bar does not say connected:\n%s", txt)
	}
}
