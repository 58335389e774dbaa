package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dsx-tui/dsx/kube"
)

// z in the nodes list offers the zone and pool labels on the nodes;
// enter groups by zone, one line per zone with its healthy nodes; enter
// opens one zone's nodes only; esc goes back each step.
func TestNodeGroupsGolden(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			tm, scr := startModel(t, byNodeModel(nil), size.w, size.h)
			scr.waitFor(t, 10*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "N")
			scr.waitFor(t, 10*time.Second, "the nodes list", func(s string) bool { return strings.Contains(s, "spot-10") })
			typeKeys(tm, "z")
			scr.waitFor(t, 10*time.Second, "the labels", func(s string) bool {
				return strings.Contains(s, kube.ZoneLabel+"  (5 nodes, 3 values)") && strings.Contains(s, "karpenter.sh/nodepool  (5 nodes, 2 values)") &&
					strings.Contains(s, "node.kubernetes.io/instance-type  (1 nodes, 1 values)") && !strings.Contains(s, "kubernetes.io/os")
			})
			typeKeys(tm, "enter")
			txt := scr.waitFor(t, 10*time.Second, "the zones", func(s string) bool {
				return strings.Contains(s, "6 nodes in 4 groups by "+kube.ZoneLabel+" · 2 with problems") && strings.Contains(s, "(no label)")
			})
			golden.RequireEqual(t, []byte(txt))
			for _, want := range []string{"eu-west-1a", "2/2", "eu-west-1b", "1/2", "1 failed · 1 current", "eu-west-1c", "0/1", "1 missing"} {
				if !strings.Contains(txt, want) {
					t.Errorf("grouped nodes list lacks %q:\n%s", want, txt)
				}
			}
			typeKeys(tm, "j", "enter")
			txt = scr.waitFor(t, 10*time.Second, "eu-west-1b's nodes", func(s string) bool {
				return strings.Contains(s, "nodes · topology.kubernetes.io/zon") && strings.Contains(s, "infra-0") && strings.Contains(s, "general-1")
			})
			for _, other := range []string{"general-0", "general-2", "general-3", "spot-10"} {
				if strings.Contains(txt, other) {
					t.Errorf("eu-west-1b's nodes show %s of another zone:\n%s", other, txt)
				}
			}
			if !strings.Contains(txt, " 2 nodes ·") {
				t.Errorf("the group's header does not count its 2 nodes:\n%s", txt)
			}
			typeKeys(tm, "esc")
			scr.waitFor(t, 10*time.Second, "the zones again", func(s string) bool { return strings.Contains(s, "6 nodes in 4 groups") })
			typeKeys(tm, "esc")
			scr.waitFor(t, 10*time.Second, "the whole nodes list again", func(s string) bool {
				return strings.Contains(s, "spot-10") && strings.Contains(s, "general-0") && strings.Contains(s, "nodes · sort: health") && !strings.Contains(s, "groups by")
			})
		})
	}
}

// p keeps the groups with a node in trouble; :group LABEL groups the
// nodes list at once; a bad label is refused.
func TestNodeGroupsProblemsAndCommand(t *testing.T) {
	tm, scr := startModel(t, byNodeModel(nil), 140, 30)
	scr.waitFor(t, 10*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "N")
	scr.waitFor(t, 10*time.Second, "the nodes list", func(s string) bool { return strings.Contains(s, "spot-10") })
	typeKeys(tm, ":")
	typeKeys(tm, strings.Split("group karpenter.sh/nodepool", "")...)
	typeKeys(tm, "enter")
	scr.waitFor(t, 10*time.Second, "grouped by pool", func(s string) bool {
		return strings.Contains(s, "6 nodes in 3 groups by karpenter.sh/nodepool") && strings.Contains(s, "general") && strings.Contains(s, "infra")
	})
	typeKeys(tm, "p")
	txt := scr.waitFor(t, 10*time.Second, "problem groups", func(s string) bool { return strings.Contains(s, "nodepool · problems only") })
	if strings.Contains(txt, "(no label)") || !strings.Contains(txt, "infra") {
		t.Errorf("problems only should keep general and infra, not the healthy unlabelled group:\n%s", txt)
	}
	typeKeys(tm, "z", "/", "a", " ", "b", "enter")
	scr.waitFor(t, 10*time.Second, "the refusal", func(s string) bool { return strings.Contains(s, `"a b" is not a label key`) })
}
