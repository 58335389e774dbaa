package kube

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The node view's budget line names the strategy's allowance and the
// nodes using it; OnDelete and finished rollouts have none.
func TestRolloutBudget(t *testing.T) {
	old, cur := "h1", "h2"
	nodes := []*corev1.Node{readyNode("general-2"), readyNode("general-3"), readyNode("general-10"), readyNode("spot-18")}
	for _, c := range []struct {
		name     string
		strategy func(*appsv1.DaemonSet)
		pods     func(ds *appsv1.DaemonSet) []*corev1.Pod
		want     string
		// brief is BudgetBrief when it is not want.
		brief string
	}{
		{"maxUnavailable 1, one terminating", func(ds *appsv1.DaemonSet) {
			one := intstr.FromInt32(1)
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one}}
		}, func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "a", "general-2", cur), daemonPod(ds, "b", "general-3", old), daemonPod(ds, "c", "general-10", old), daemonPod(ds, "d", "spot-18", old, deleting)}
		}, "maxUnavailable 1 · 1 unavailable (spot-18 terminating)", ""},
		{"maxSurge 1, surge pod pending", withSurge, func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "a", "general-2", cur), daemonPod(ds, "b", "general-3", old), daemonPod(ds, "b2", "general-3", cur, notReady, createdAt(40*time.Second)), daemonPod(ds, "c", "general-10", old), daemonPod(ds, "d", "spot-18", old)}
		}, "maxUnavailable 0 · 0 unavailable · maxSurge 1 · surge pod on general-3", ""},
		{"more than three unavailable are counted, not named", func(ds *appsv1.DaemonSet) {
			one := intstr.FromInt32(1)
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &one}}
		}, func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "a", "general-2", cur, notReady), daemonPod(ds, "b", "general-3", cur, notReady), daemonPod(ds, "c", "general-10", cur, notReady), daemonPod(ds, "d", "spot-18", old, notReady)}
		}, "maxUnavailable 1 · 4 unavailable (general-2 progressing, general-3 progressing, general-10 progressing, 1 more)", "maxUnavailable 1 · 4 unavailable"},
		{"OnDelete", func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
		}, func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "a", "general-2", cur), daemonPod(ds, "b", "general-3", old), daemonPod(ds, "c", "general-10", old), daemonPod(ds, "d", "spot-18", old)}
		}, "", ""},
		{"done", withSurge, func(ds *appsv1.DaemonSet) []*corev1.Pod {
			return []*corev1.Pod{daemonPod(ds, "a", "general-2", cur), daemonPod(ds, "b", "general-3", cur), daemonPod(ds, "c", "general-10", cur), daemonPod(ds, "d", "spot-18", cur)}
		}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds := testDS()
			c.strategy(ds)
			revs := []*appsv1.ControllerRevision{revision(ds, 1, old), revision(ds, 2, cur)}
			v := viewOf(ds, nodes, c.pods(ds), revs, AllAccess(), tNow)
			if v.Budget != c.want {
				t.Errorf("budget %q, want %q\n%s", v.Budget, c.want, dumpRows(v))
			}
			brief := c.brief
			if brief == "" {
				brief = c.want
			}
			if v.BudgetBrief != brief {
				t.Errorf("brief budget %q, want %q", v.BudgetBrief, brief)
			}
			// Nodes in natural order, as the TUI lists them.
			var got []string
			for _, r := range v.Rows {
				got = append(got, r.Node)
			}
			if want := []string{"general-2", "general-3", "general-10", "spot-18"}; len(got) != 4 || got[1] != want[1] || got[2] != want[2] {
				t.Errorf("rows in order %v, want %v", got, want)
			}
		})
	}
}

func dumpRows(v NodeView) string {
	s := ""
	for _, r := range v.Rows {
		s += r.Node + " " + string(r.State) + " " + r.Pod + "\n"
	}
	return s
}

// An OnDelete DaemonSet with old pods is drifting, never rolling or
// stalled: it does not move on its own.
func TestDriftMark(t *testing.T) {
	r := DaemonSetRow{Strategy: "OnDelete", Observed: true, Desired: 30, Current: 30, Ready: 30, UpToDate: 2, Available: 30}
	for _, stuck := range []bool{false, true} {
		if m := RolloutMark(r, stuck); m != MarkDrift {
			t.Errorf("OnDelete with 28 old pods (stuck %v): %s, want drift", stuck, m)
		}
	}
	r.Strategy = "RollingUpdate"
	if m := RolloutMark(r, true); m != MarkStalled {
		t.Errorf("RollingUpdate stuck: %s, want stalled", m)
	}
	r.Strategy, r.UpToDate = "OnDelete", 30
	if m := RolloutMark(r, false); m != MarkComplete {
		t.Errorf("OnDelete all updated: %s, want complete", m)
	}
}
