//go:build live

package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// In the real binary on a short terminal: after scrolling down a long
// list, k moves the selection up and the rows stay where they are (it
// used to scroll the rows instead, the selection pinned to the bottom).
func TestScrollUpKeepsWindow(t *testing.T) {
	ctx := context.Background()
	const ns = "e2e-scroll"
	plane.Namespace(t, ns)
	// Thirty more rows would push other tests' DaemonSets off their
	// screens: they go when this test is done.
	t.Cleanup(func() {
		err := plane.Client.AppsV1().DaemonSets(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{})
		if err != nil {
			t.Errorf("delete the test's DaemonSets: %v", err)
		}
	})
	for i := range 30 {
		ds := testenv.DaemonSet(ns, fmt.Sprintf("sc-%02d", i), "agent:1")
		// On no node: the list is what matters, not pods.
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "nowhere"}
		if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	s := startTmux(t, 80, 12, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "30 DaemonSets", func(x string) bool { return strings.Contains(x, "30 DaemonSets") })
	top := regexp.MustCompile(`(?m)^(sc-\d\d)\s`)
	// selected is the row drawn in reverse video.
	selected := func() string {
		for _, l := range strings.Split(s.captureEscapes(), "\n") {
			if strings.Contains(l, "\x1b[7m") {
				if m := regexp.MustCompile(`sc-\d\d`).FindString(l); m != "" {
					return m
				}
			}
		}
		return ""
	}
	for range 15 {
		s.keys("j")
	}
	var first string
	testenv.WaitT(t, 10*time.Second, "sc-15 selected", func(context.Context) (bool, error) { return selected() == "sc-15", nil })
	if m := top.FindStringSubmatch(s.capture()); m != nil {
		first = m[1]
	}
	if first == "" || first == "sc-00" {
		t.Fatalf("15× j did not scroll; top row %q:\n%s", first, s.capture())
	}
	for i, want := range []string{"sc-14", "sc-13"} {
		s.keys("k")
		testenv.WaitT(t, 10*time.Second, want+" selected", func(context.Context) (bool, error) { return selected() == want, nil })
		if m := top.FindStringSubmatch(s.capture()); m == nil || m[1] != first {
			t.Fatalf("k %d: the rows moved, top row %v, was %s:\n%s", i+1, m, first, s.capture())
		}
	}
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}
