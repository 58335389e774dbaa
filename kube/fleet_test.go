package kube

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	appslisters "k8s.io/client-go/listers/apps/v1"
	"k8s.io/client-go/tools/cache"
)

func TestSelectContexts(t *testing.T) {
	names := []string{"prod-us", "dev", "prod-eu", "staging-eu"}
	for _, tc := range []struct {
		spec string
		want []string
		err  string
	}{
		{"", []string{"dev", "prod-eu", "prod-us", "staging-eu"}, ""},
		{"all", []string{"dev", "prod-eu", "prod-us", "staging-eu"}, ""},
		{"prod-*", []string{"prod-eu", "prod-us"}, ""},
		{"*-eu", []string{"prod-eu", "staging-eu"}, ""},
		{"staging-eu,dev", []string{"staging-eu", "dev"}, ""},
		{"dev, prod-*,dev", []string{"dev", "prod-eu", "prod-us"}, ""},
		{"prod-??", []string{"prod-eu", "prod-us"}, ""},
		{"qa", nil, `context "qa" not found`},
		{"qa-*", nil, `no context matches "qa-*"`},
		{"[", nil, "bad context pattern"},
		{",", nil, "no contexts selected"},
	} {
		got, err := SelectContexts(names, tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.spec, got, err, tc.want)
		}
	}
	if _, err := SelectContexts(nil, ""); err == nil {
		t.Error("no contexts at all: want an error")
	}
}

func TestImageTag(t *testing.T) {
	for in, want := range map[string]string{
		"ghcr.io/acme/cni-agent:v1.2.3":              "v1.2.3",
		"registry:5000/cni-agent":                    "latest",
		"registry:5000/cni-agent:v2":                 "v2",
		"busybox":                                    "latest",
		"acme/agent@sha256:0123456789abcdef":         "@0123456",
		"acme/agent:v1@sha256:fedcba9876543210":      "@fedcba9",
		"localhost:5000/a/b/c:1.0-rc1":               "1.0-rc1",
		"example.com/with.dots/and_underscore:stage": "stage",
	} {
		if got := ImageTag(in); got != want {
			t.Errorf("ImageTag(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ImageTags([]string{"a:v1", "b:v1", "c:v2"}); got != "v1,v2" {
		t.Errorf("ImageTags = %q, want v1,v2", got)
	}
}

func fleetRow(ns, name string, mark string, images ...string) DaemonSetRow {
	return DaemonSetRow{Namespace: ns, Name: name, Images: images, Desired: 3, UpToDate: 3, Ready: 3, Available: 3, Mark: mark, Observed: true}
}

func TestBuildFleetTable(t *testing.T) {
	s := FleetSnapshot{Clusters: []FleetCluster{
		{Context: "a", State: ClusterOK, Synced: true, DaemonSets: []DaemonSetRow{
			fleetRow("kube-system", "cni", MarkComplete, "cni:v2"),
			fleetRow("kube-system", "proxy", MarkComplete, "proxy:v1"),
			fleetRow("obs", "shipper", MarkComplete, "shipper:v1"),
		}},
		{Context: "b", State: ClusterOK, Synced: true, DaemonSets: []DaemonSetRow{
			fleetRow("kube-system", "cni", MarkRolling, "cni:v1"),
			fleetRow("kube-system", "proxy", MarkComplete, "proxy:v1"),
		}},
		// Had its list, then went away: its cells are stale, not absent.
		{Context: "c", State: ClusterUnreachable, Synced: true, DaemonSets: []DaemonSetRow{
			fleetRow("kube-system", "proxy", MarkComplete, "proxy:v1"),
		}},
		// Never answered: every cell unknown.
		{Context: "d", State: ClusterUnauthorized},
	}}
	tab := BuildFleetTable(s)
	var keys []string
	for _, r := range tab.Rows {
		keys = append(keys, r.Key())
	}
	if want := []string{"kube-system/cni", "kube-system/proxy", "obs/shipper"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("rows %v, want %v", keys, want)
	}
	cni, proxy, shipper := tab.Rows[0], tab.Rows[1], tab.Rows[2]
	if !cni.Drift || !cni.Problem {
		t.Errorf("cni: v2 on a, v1 on b: want drift and a problem, got %+v", cni)
	}
	if cni.Cells[0].Tag != "v2" || cni.Cells[1].Tag != "v1" {
		t.Errorf("cni tags %q %q", cni.Cells[0].Tag, cni.Cells[1].Tag)
	}
	if c := cni.Cells[2]; c.Present || c.Unknown {
		t.Errorf("cni on c (synced, not there): want absent, got %+v", c)
	}
	if c := cni.Cells[3]; c.Present || !c.Unknown {
		t.Errorf("cni on d (never synced): want unknown, got %+v", c)
	}
	if proxy.Drift {
		t.Error("proxy: the same image everywhere is no drift")
	}
	if c := proxy.Cells[2]; !c.Present || !c.Stale || c.Converged() {
		t.Errorf("proxy on unreachable c: want stale and not converged, got %+v", c)
	}
	if !proxy.Problem {
		t.Error("proxy: unknown on d is a problem")
	}
	if shipper.Drift {
		t.Error("shipper: present in one cluster only is absence, not drift")
	}
	// Only healthy, complete, present everywhere: no problem.
	ok := BuildFleetTable(FleetSnapshot{Clusters: []FleetCluster{
		{Context: "a", State: ClusterOK, Synced: true, DaemonSets: []DaemonSetRow{fleetRow("x", "y", MarkComplete, "i:1")}},
		{Context: "b", State: ClusterOK, Synced: true, DaemonSets: []DaemonSetRow{fleetRow("x", "y", MarkComplete, "i:1")}},
	}})
	if ok.Rows[0].Problem || ok.Rows[0].Drift {
		t.Errorf("converged everywhere: %+v", ok.Rows[0])
	}
}

func TestFleetSnapshotComplete(t *testing.T) {
	s := FleetSnapshot{Clusters: []FleetCluster{{State: ClusterOK, Synced: true}, {State: ClusterConnecting}}}
	if s.Complete() {
		t.Error("a cluster still connecting: not complete")
	}
	s.Clusters[1].State = ClusterUnreachable
	if !s.Complete() {
		t.Error("every cluster answered or failed: complete")
	}
	if (FleetSnapshot{}).Complete() {
		t.Error("no clusters: not complete")
	}
}

func TestClassify(t *testing.T) {
	gr := schema.GroupResource{Group: "apps", Resource: "daemonsets"}
	for _, tc := range []struct {
		err  error
		want ClusterState
	}{
		{apierrors.NewUnauthorized("expired"), ClusterUnauthorized},
		{apierrors.NewForbidden(gr, "", errors.New("no")), ClusterForbidden},
		{errors.New(`getting credentials: exec: executable cloud-login failed with exit code 1`), ClusterLogin},
		{errors.New("exec plugin cannot support interactive mode: standard input is unavailable"), ClusterLogin},
		{errors.New("dial tcp 127.0.0.1:1: connect: connection refused"), ClusterUnreachable},
		{context.DeadlineExceeded, ClusterUnreachable},
	} {
		if got := classify(tc.err); got != tc.want {
			t.Errorf("classify(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestCountPaged(t *testing.T) {
	pages := func(sizes []int, remainingOnFirst bool) func(context.Context, metav1.ListOptions) (int, string, *int64, error) {
		return func(_ context.Context, o metav1.ListOptions) (int, string, *int64, error) {
			i := 0
			if o.Continue != "" {
				fmt.Sscan(o.Continue, &i)
			}
			cont := ""
			if i+1 < len(sizes) {
				cont = fmt.Sprint(i + 1)
			}
			if remainingOnFirst && i == 0 && cont != "" {
				rest := int64(0)
				for _, s := range sizes[1:] {
					rest += int64(s)
				}
				return sizes[0], cont, &rest, nil
			}
			return sizes[i], cont, nil, nil
		}
	}
	if n, err := countPaged(context.Background(), pages([]int{500, 500, 7}, false), 1e9); err != nil || n != 1007 {
		t.Errorf("paged: %d %v, want 1007", n, err)
	}
	if n, err := countPaged(context.Background(), pages([]int{500, 500, 9}, true), 1e9); err != nil || n != 1009 {
		t.Errorf("remaining count: %d %v, want 1009", n, err)
	}
}

func TestStripForFleet(t *testing.T) {
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "cni", Namespace: "kube-system", Labels: map[string]string{"big": strings.Repeat("x", 1000)}, Generation: 3},
		Spec:   appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "cni:v1", Command: []string{"long"}, Env: []corev1.EnvVar{{Name: "A"}}}}}}},
		Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 4, ObservedGeneration: 3}}
	out, _ := stripForFleet(ds)
	s := out.(*appsv1.DaemonSet)
	if s.Labels != nil || s.Spec.Template.Spec.Containers[0].Command != nil || s.Spec.Template.Spec.Containers[0].Env != nil {
		t.Errorf("kept more than the table needs: %+v", s)
	}
	r := daemonSetRow(s)
	if r.Images[0] != "cni:v1" || r.Desired != 4 || !r.Observed || r.Name != "cni" {
		t.Errorf("row from a stripped DaemonSet: %+v", r)
	}
}

// Cluster text enters the fleet snapshot sanitized: DaemonSet names and
// images, the context's name and the server's error.
func TestFleetSnapshotSanitized(t *testing.T) {
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	evil := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "a\x1b]0;pwned\x07"},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "img:\u202ev1"}}}}}}
	_ = idx.Add(evil)
	f := NewFleet([]FleetTarget{{Context: "ctx\x1b[2J", Err: errors.New("bad\x1b[31m entry")}}, "", FleetOptions{})
	m := f.members[0]
	m.lister, m.changed = appslisters.NewDaemonSetLister(idx), true
	s := f.Snapshot()
	c := s.Clusters[0]
	for _, text := range []string{c.Context, c.Err, c.DaemonSets[0].Name, c.DaemonSets[0].Images[0]} {
		if strings.ContainsAny(text, "\x1b\x07\u202e") {
			t.Errorf("unsanitized cluster text in the fleet snapshot: %q", text)
		}
	}
	if c.State != ClusterInvalid {
		t.Errorf("a context that cannot be resolved: state %q", c.State)
	}
	m.set(ClusterUnreachable, errors.New("dial\x1b[1m tcp\nsecond line"))
	if e := f.Snapshot().Clusters[0].Err; strings.ContainsAny(e, "\x1b\n") {
		t.Errorf("error kept control characters or lines: %q", e)
	}
}

func TestFleetLimits(t *testing.T) {
	l := []string{"RBAC: no list/watch on daemonsets cluster-wide", nodeLimit}
	if got := withoutDaemonSetLimit(l); len(got) != 1 || got[0] != nodeLimit {
		t.Errorf("withoutDaemonSetLimit: %v", got)
	}
	if got := withoutNodeLimit(l); len(got) != 1 || got[0] != l[0] {
		t.Errorf("withoutNodeLimit: %v", got)
	}
}
