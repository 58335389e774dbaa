//go:build live

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// The drill's filter in the real binary: with the cursor away from the
// top, /mon-1 typed key by key then enter leaves mon-1 selected (not
// mon-10, not the row the cursor was on), and describe opens mon-1. The
// filter line says what it matches.
func TestFilterSelectsTypedNameEndToEnd(t *testing.T) {
	ctx := context.Background()
	const ns = "e2e-filter"
	plane.Namespace(t, ns)
	t.Cleanup(func() {
		if err := plane.Client.AppsV1().DaemonSets(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
			t.Errorf("delete the test's DaemonSets: %v", err)
		}
	})
	for _, name := range []string{"amon-1x", "mon-10", "mon-11", "mon-1", "mon-2", "zz-mon-1"} {
		ds := testenv.DaemonSet(ns, name, "agent:1")
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "nowhere"}
		if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s := startTmux(t, 100, 20, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "6 DaemonSets", func(x string) bool { return strings.Contains(x, "6 DaemonSets") })
	s.keys("G", "/")
	for _, k := range []string{"m", "o", "n", "-", "1"} {
		s.keys(k)
	}
	s.waitFor(10*time.Second, "the filter line", func(x string) bool {
		return strings.Contains(x, "/mon-1") && strings.Contains(x, "matches name · ns: namespace")
	})
	s.keys("Enter", "d")
	s.waitFor(30*time.Second, "describe of mon-1", func(x string) bool {
		return strings.Contains(x, "Describe DaemonSet "+ns+"/mon-1 ") && strings.Contains(x, "Name:           mon-1\n")
	})
}
