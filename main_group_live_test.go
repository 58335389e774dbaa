//go:build live

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/testenv"
)

// zonedDaemonSet makes three zones of two nodes each, zone-c's too small
// for the agent's CPU request (its pods stay Pending: the lagging zone),
// and a DaemonSet named name on them. Zones are named after it too
// (gs-zone-a), so that tests sharing the plane count only their own.
func zonedDaemonSet(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	for _, z := range []string{"a", "b", "c"} {
		for i := range 2 {
			spec := testenv.NodeSpec{Labels: map[string]string{"pool": name, kube.ZoneLabel: name + "-zone-" + z}}
			if z == "c" {
				spec.Allocatable = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")}
			}
			plane.AddNodeT(t, fmt.Sprintf("%s-%s-%d", name, z, i), spec)
		}
	}
	ds := testenv.DaemonSet("default", name, "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": name}
	ds.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// dsx status --group-by counts each zone's nodes per state, in JSON and
// in the table; the lagging zone makes it exit 1.
func TestStatusGroupByLive(t *testing.T) {
	zonedDaemonSet(t, "gs")
	kc := plane.Kubeconfig
	var st statusJSON
	var out, errOut string
	var code int
	byValue := map[string]groupJSON{}
	err := testenv.Wait(context.Background(), 2*time.Minute, "zone-c's 2 nodes progressing, the rest current", func(context.Context) (bool, error) {
		out, errOut, code = runDsx(t, "status", "--kubeconfig", kc, "-n", "default", "gs", "--group-by", kube.ZoneLabel, "-o", "json")
		st = statusJSON{}
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			return false, nil
		}
		byValue = map[string]groupJSON{}
		for _, g := range st.Groups {
			byValue[g.Value] = g
		}
		return byValue["gs-zone-a"].Current == 2 && byValue["gs-zone-b"].Current == 2 && byValue["gs-zone-c"].States["progressing"] == 2, nil
	})
	if err != nil {
		t.Fatalf("%v; exit %d, stdout:\n%s\nstderr:\n%s", err, code, out, errOut)
	}
	if code != 1 || st.GroupBy != kube.ZoneLabel || st.Groups[len(st.Groups)-1].Value != "" {
		t.Fatalf("exit %d, groupBy %q, %d groups; want 1, the zone label, 3 zones and the nodes without it:\n%s", code, st.GroupBy, len(st.Groups), out)
	}
	for _, z := range []string{"gs-zone-a", "gs-zone-b", "gs-zone-c"} {
		if g := byValue[z]; g.Nodes != 2 || g.Eligible != 2 || g.Unset {
			t.Errorf("%s: %+v", z, g)
		}
	}
	if g := st.Groups[len(st.Groups)-1]; !g.Unset || g.Eligible != 0 || g.States["ineligible"] != g.Nodes {
		t.Errorf("last group %+v, want the nodes without a zone, all ineligible", g)
	}
	out, errOut, code = runDsx(t, "status", "--kubeconfig", kc, "-n", "default", "gs", "--group-by", kube.ZoneLabel)
	for _, re := range []string{`(?m)^TOPOLOGY.KUBERNETES.IO/ZONE\s+NODES\s+CURRENT\s+STATES$`, `(?m)^gs-zone-a\s+2\s+2/2\s+2 current$`, `(?m)^gs-zone-c\s+2\s+0/2\s+2 progressing$`, `(?m)^\(no label\)\s+\d+\s+0/0\s+\d+ ineligible$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("table lacks %s; exit %d, stdout:\n%s\nstderr:\n%s", re, code, out, errOut)
		}
	}
	_, errOut, code = runDsx(t, "status", "--kubeconfig", kc, "-n", "default", "gs", "--group-by", "not a label")
	if code != 2 || !strings.Contains(errOut, `"not a label" is not a label key`) {
		t.Errorf("bad label: exit %d, stderr %q", code, errOut)
	}
}

// The real binary: node view → z → the zone → enter on the lagging zone
// shows only its nodes → esc back to the zones and the node view; t
// draws the rollout and names the nodes holding it back.
func TestBinaryGroupAndTimeline(t *testing.T) {
	zonedDaemonSet(t, "gt")
	s := startTmux(t, 160, 45, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", "default")
	s.waitFor(time.Minute, "gt listed", func(x string) bool { return regexp.MustCompile(`(?m)^gt\s`).MatchString(x) })
	s.keys("/", "gt", "Enter")
	s.waitFor(10*time.Second, "gt alone", func(x string) bool { return strings.Contains(x, "1 of") })
	s.keys("Enter")
	s.waitFor(time.Minute, "the node view with zone-c pending", func(x string) bool {
		return regexp.MustCompile(`(?m)^gt-c-0\s+… progressing`).MatchString(x) && regexp.MustCompile(`(?m)^gt-a-0\s+✓ current`).MatchString(x)
	})
	s.keys("z")
	s.waitFor(10*time.Second, "the label chooser", func(x string) bool {
		return regexp.MustCompile(regexp.QuoteMeta(kube.ZoneLabel) + `  \(\d+ nodes, \d+ values\)`).MatchString(x)
	})
	s.keys("Enter")
	// Zones a and b settle too: a zone still progressing would be a
	// problem as well, and the cursor would open it instead of zone-c.
	s.waitFor(30*time.Second, "the zones, a and b current, c progressing", func(x string) bool {
		return regexp.MustCompile(`(?m)^ gt-zone-c\s+2\s+0/2 .* 2 progressing`).MatchString(x) &&
			regexp.MustCompile(`(?m)^ gt-zone-a\s+2\s+2/2 .* 2 current`).MatchString(x) &&
			regexp.MustCompile(`(?m)^ gt-zone-b\s+2\s+2/2 .* 2 current`).MatchString(x)
	})
	// The control for TestGroupAndChartPlain: here the lagging zone has colour.
	if !colourSGR.MatchString(s.captureEscapes()) {
		t.Error("no colour in the grouped view: the NO_COLOR check would prove nothing")
	}
	// Problems only leaves the lagging zone alone, selected.
	s.keys("p")
	s.waitFor(10*time.Second, "only the lagging zone", func(x string) bool {
		return strings.Contains(x, "problems only") && strings.Contains(x, "gt-zone-c") && !strings.Contains(x, "gt-zone-a")
	})
	s.keys("Enter")
	scr := s.waitFor(10*time.Second, "zone-c's nodes", func(x string) bool {
		return strings.Contains(x, kube.ZoneLabel+"=gt-zone-c") && regexp.MustCompile(`(?m)^gt-c-1\s+… progressing.*Insufficient cpu`).MatchString(x)
	})
	if strings.Contains(scr, "gt-a-0") || strings.Contains(scr, "node-0 ") {
		t.Errorf("zone-c's view shows other nodes:\n%s", scr)
	}
	s.keys("Escape")
	s.waitFor(10*time.Second, "the zones again", func(x string) bool { return strings.Contains(x, "groups by "+kube.ZoneLabel) })
	s.keys("Escape")
	s.waitFor(10*time.Second, "the node view again", func(x string) bool { return regexp.MustCompile(`(?m)^gt-a-0\s+✓ current`).MatchString(x) })
	s.keys("t")
	scr = s.waitFor(10*time.Second, "the chart", func(x string) bool {
		return strings.Contains(x, "Rollout to revision 1") && strings.Contains(x, "updated 6/6 · available 4/6") && strings.Contains(x, "Holding it back: 2 nodes")
	})
	if !strings.Contains(scr, "█") || !strings.Contains(scr, "└──") || !regexp.MustCompile(`(?m)^\s+gt-c-0\s+… progressing\s+pending: Unschedulable`).MatchString(scr) {
		t.Errorf("chart or holders missing:\n%s", scr)
	}
	s.keys("Escape")
	s.waitFor(10*time.Second, "the node view after the chart", func(x string) bool { return regexp.MustCompile(`(?m)^gt-a-0\s+✓ current`).MatchString(x) })
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}

// Under NO_COLOR no colour is sent, and with --ascii no byte outside
// ASCII, in the grouped view and the chart; the glyphs still tell the
// states and the two curves apart.
func TestGroupAndChartPlain(t *testing.T) {
	zonedDaemonSet(t, "gp")
	for name, c := range map[string]struct {
		env   []string
		args  []string
		ascii bool
	}{
		"NO_COLOR": {[]string{"TERM=screen", "NO_COLOR=1"}, nil, false},
		"--ascii":  {[]string{"TERM=xterm-256color", "LANG=C.UTF-8"}, []string{"--ascii"}, true},
	} {
		t.Run(name, func(t *testing.T) {
			s := startTmux(t, 80, 24, c.env, append([]string{"--kubeconfig", plane.Kubeconfig, "-n", "default"}, c.args...)...)
			s.waitFor(time.Minute, "gp listed", func(x string) bool { return regexp.MustCompile(`(?m)^gp\s`).MatchString(x) })
			s.keys("/", "gp", "Enter")
			s.waitFor(10*time.Second, "gp alone", func(x string) bool { return strings.Contains(x, "1 of") })
			s.keys("Enter")
			s.waitFor(time.Minute, "zone-c pending", func(x string) bool { return regexp.MustCompile(`(?m)^gp-c-1\s+\S+ progressing`).MatchString(x) })
			check := func(what string) string {
				t.Helper()
				scr := s.capture()
				if c.ascii {
					for _, r := range scr {
						if r > 0x7e && r != '\n' {
							t.Fatalf("non-ASCII %q in %s:\n%s", r, what, scr)
						}
					}
				} else if esc := s.captureEscapes(); colourSGR.MatchString(esc) {
					t.Fatalf("colour sent under NO_COLOR in %s: %q", what, colourSGR.FindString(esc))
				}
				return scr
			}
			s.keys("z", "Enter")
			s.waitFor(10*time.Second, "the zones", func(x string) bool {
				return regexp.MustCompile(`(?m)^ gp-zone-c\s+2\s+0/2 .*2 progressing`).MatchString(x)
			})
			scr := check("the grouped view")
			progressing, current := "▓▓", "██"
			if c.ascii {
				progressing, current = "==", "##"
			}
			if !strings.Contains(scr, progressing) || !strings.Contains(scr, current) {
				t.Errorf("the bars do not tell the states apart:\n%s", scr)
			}
			// Esc and t apart: sent together they read as alt+t.
			s.keys("Escape")
			s.waitFor(10*time.Second, "the node view", func(x string) bool { return regexp.MustCompile(`(?m)^gp-a-0\s`).MatchString(x) })
			s.keys("t")
			s.waitFor(10*time.Second, "the chart", func(x string) bool { return strings.Contains(x, "Holding it back: 2 nodes") })
			scr = check("the chart")
			available, updated := "█", "▒"
			if c.ascii {
				available, updated = "#", ":"
			}
			if !strings.Contains(scr, available+" available") || !strings.Contains(scr, updated+" updated") {
				t.Errorf("the legend does not tell the curves apart:\n%s", scr)
			}
			s.keys("q")
			s.paneExit(10 * time.Second)
		})
	}
}
