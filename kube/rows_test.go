package kube

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDaemonSetRows(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	del := metav1.NewTime(created.Add(time.Hour))
	mk := func(ns, name string, gen, observed int64) *appsv1.DaemonSet {
		return &appsv1.DaemonSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Generation: gen, CreationTimestamp: metav1.NewTime(created)},
			Spec: appsv1.DaemonSetSpec{
				UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType},
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
					{Name: "a", Image: "img-a:1"}, {Name: "b", Image: "img-b:2"},
				}}},
			},
			Status: appsv1.DaemonSetStatus{
				DesiredNumberScheduled: 5, CurrentNumberScheduled: 4, NumberReady: 3,
				UpdatedNumberScheduled: 2, NumberAvailable: 1, NumberMisscheduled: 6, ObservedGeneration: observed,
			},
		}
	}
	b := mk("b", "x", 2, 2)
	a2 := mk("a", "z", 3, 2)
	a2.DeletionTimestamp = &del
	a1 := mk("a", "y", 1, 1)
	rows := DaemonSetRows([]*appsv1.DaemonSet{b, a2, a1})
	if got := []string{rows[0].Key(), rows[1].Key(), rows[2].Key()}; got[0] != "a/y" || got[1] != "a/z" || got[2] != "b/x" {
		t.Fatalf("order = %v, want a/y a/z b/x", got)
	}
	r := rows[2]
	if r.Desired != 5 || r.Current != 4 || r.Ready != 3 || r.UpToDate != 2 || r.Available != 1 || r.Misscheduled != 6 {
		t.Fatalf("counts wrong: %+v", r)
	}
	if r.Strategy != "OnDelete" || len(r.Images) != 2 || r.Images[1] != "img-b:2" || !r.Created.Equal(created) {
		t.Fatalf("strategy/images/created wrong: %+v", r)
	}
	if !r.Observed || r.Terminating {
		t.Fatalf("b/x: observed %v terminating %v, want true false", r.Observed, r.Terminating)
	}
	if rows[1].Observed || !rows[1].Terminating {
		t.Fatalf("a/z: observed %v terminating %v, want false true", rows[1].Observed, rows[1].Terminating)
	}
}

func TestRolloutMark(t *testing.T) {
	base := DaemonSetRow{Desired: 3, Current: 3, Ready: 3, UpToDate: 3, Available: 3, Observed: true}
	cases := []struct {
		name  string
		mod   func(*DaemonSetRow)
		stuck bool
		want  string
	}{
		{"complete", nil, false, MarkComplete},
		{"complete even if counts never move", nil, true, MarkComplete},
		{"rolling", func(r *DaemonSetRow) { r.UpToDate = 1 }, false, MarkRolling},
		{"stalled", func(r *DaemonSetRow) { r.UpToDate = 1 }, true, MarkStalled},
		{"not observed yet", func(r *DaemonSetRow) { r.Observed = false }, false, MarkRolling},
		{"unavailable", func(r *DaemonSetRow) { r.Available = 2 }, false, MarkRolling},
		{"misscheduled", func(r *DaemonSetRow) { r.Misscheduled = 1 }, false, MarkMisscheduled},
		{"deleting", func(r *DaemonSetRow) { r.Terminating = true; r.Misscheduled = 1 }, false, MarkDeleting},
	}
	for _, c := range cases {
		r := base
		if c.mod != nil {
			c.mod(&r)
		}
		if got := RolloutMark(r, c.stuck); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
