package testenv

import (
	"context"
	"fmt"
	"io"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const waitLong = 3 * time.Minute

// PreviousKubeProxy is the kube-proxy release the demo starts from, before
// it rolls out KubeVersion.
const PreviousKubeProxy = "v1.37.1"

// Demo pools: how many nodes each has.
const (
	GeneralNodes = 26
	InfraNodes   = 8
	GPUNodes     = 6
)

// Demo zones: every pool spreads its nodes over them in turn.
var Zones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}

// Node labels the demo's nodes carry, as a cloud and Karpenter set them.
const (
	ZoneLabel = "topology.kubernetes.io/zone"
	PoolLabel = "karpenter.sh/nodepool"
)

// poolNode is a demo node's labels: its pool, its zone by its index, and
// extra.
func poolNode(pool string, i int, extra map[string]string) map[string]string {
	l := map[string]string{PoolLabel: pool, ZoneLabel: Zones[i%len(Zones)]}
	for k, v := range extra {
		l[k] = v
	}
	return l
}

// Seed fills a plane with the demo cluster: three node pools (general;
// infra, tainted dedicated=infra:NoSchedule; gpu, labelled
// accelerator=nvidia) spread over three zones, one cordoned and one
// NotReady node, and the DaemonSets an operator meets: node-exporter
// (healthy everywhere), log-shipper (rolling update stuck half way),
// cni-agent (tolerates everything), gpu-driver (GPU pool only),
// kube-proxy (a patch release rolled out a few nodes at a time, so its
// rollout chart has a shape) and disk-monitor (OnDelete: its pods were
// replaced in the first zone and half the second, the third lags on the
// old revision).
func (p *Plane) Seed(ctx context.Context, progress io.Writer) error {
	if progress == nil {
		progress = io.Discard
	}
	say := func(f string, a ...any) { fmt.Fprintf(progress, "seed: "+f+"\n", a...) }
	say("adding %d nodes in 3 pools over %d zones", GeneralNodes+InfraNodes+GPUNodes, len(Zones))
	if _, err := p.AddNodesWith(ctx, "general", GeneralNodes, func(i int) NodeSpec {
		return NodeSpec{Labels: poolNode("general", i, nil), Unschedulable: i == 3, NotReady: i == 5}
	}); err != nil {
		return err
	}
	if _, err := p.AddNodesWith(ctx, "infra", InfraNodes, func(i int) NodeSpec {
		return NodeSpec{
			Labels: poolNode("infra", i, nil),
			Taints: []corev1.Taint{{Key: "dedicated", Value: "infra", Effect: corev1.TaintEffectNoSchedule}},
		}
	}); err != nil {
		return err
	}
	if _, err := p.AddNodesWith(ctx, "gpu", GPUNodes, func(i int) NodeSpec {
		return NodeSpec{Labels: poolNode("gpu", i, map[string]string{"accelerator": "nvidia"})}
	}); err != nil {
		return err
	}
	for _, ns := range []string{"monitoring", "logging"} {
		if err := p.EnsureNamespace(ctx, ns); err != nil {
			return err
		}
	}
	for _, ns := range []string{"monitoring", "logging", "kube-system"} {
		if err := p.WaitDefaultServiceAccount(ctx, ns); err != nil {
			return err
		}
	}

	tolerateAll := []corev1.Toleration{{Operator: corev1.TolerationOpExists}}

	nodeExporter := DaemonSet("monitoring", "node-exporter", "quay.io/prometheus/node-exporter:v1.9.1")
	nodeExporter.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "infra", Effect: corev1.TaintEffectNoSchedule}}
	nodeExporter.Spec.Template.Spec.HostNetwork = true

	logShipper := DaemonSet("logging", "log-shipper", "fluent/fluent-bit:3.2.1")
	logShipper.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromString("50%"))

	cni := DaemonSet("kube-system", "cni-agent", "cilium/cilium:v1.17.2")
	cni.Spec.Template.Spec.Tolerations = tolerateAll
	cni.Spec.Template.Spec.HostNetwork = true

	gpu := DaemonSet("kube-system", "gpu-driver", "nvidia/driver:550.54.15")
	gpu.Spec.Template.Spec.NodeSelector = map[string]string{"accelerator": "nvidia"}

	proxy := DaemonSet("kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:"+PreviousKubeProxy)
	proxy.Spec.Template.Spec.Tolerations = tolerateAll
	proxy.Spec.Template.Spec.HostNetwork = true
	proxy.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromString("10%"))
	// A few seconds per batch of 4 nodes: the rollout takes about half a
	// minute, long enough for its chart to show the steps.
	proxy.Spec.MinReadySeconds = 2

	disk := DaemonSet("monitoring", "disk-monitor", "example.com/disk-monitor:1.0")
	disk.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}

	all := []*appsv1.DaemonSet{nodeExporter, logShipper, cni, gpu, proxy, disk}
	for _, ds := range all {
		say("creating DaemonSet %s/%s", ds.Namespace, ds.Name)
		if _, err := p.Client.AppsV1().DaemonSets(ds.Namespace).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			return err
		}
	}
	say("waiting for the first revisions to roll out")
	for _, ds := range []*appsv1.DaemonSet{logShipper, disk} {
		if err := p.WaitDaemonSet(ctx, ds.Namespace, ds.Name, waitLong, DaemonSetSettled); err != nil {
			return err
		}
	}
	// kube-proxy's first pods available (minReadySeconds after ready;
	// the one on the NotReady node never is): a pod not yet available
	// is replaced at once, outside the budget, and the whole rollout
	// would then take one step.
	if err := p.WaitDaemonSet(ctx, "kube-system", "kube-proxy", waitLong, func(ds *appsv1.DaemonSet) bool {
		s := ds.Status
		return s.ObservedGeneration >= ds.Generation && s.DesiredNumberScheduled > 0 &&
			s.UpdatedNumberScheduled == s.DesiredNumberScheduled && s.NumberAvailable >= s.DesiredNumberScheduled-1
	}); err != nil {
		return err
	}

	say("rolling kube-proxy out to %s, 10%% of the nodes at a time", KubeVersion)
	if err := p.UpdateDaemonSet(ctx, "kube-system", "kube-proxy", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "registry.k8s.io/kube-proxy:" + KubeVersion
		ds.Annotations = map[string]string{"kubernetes.io/change-cause": "kube-proxy " + KubeVersion}
	}); err != nil {
		return err
	}

	// log-shipper v2 never turns ready: the rolling update takes down half
	// the nodes and then stalls, as a bad release does.
	say("updating log-shipper to a release whose pods never become ready")
	if err := p.UpdateDaemonSet(ctx, "logging", "log-shipper", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "fluent/fluent-bit:3.3.0"
		if ds.Spec.Template.Annotations == nil {
			ds.Spec.Template.Annotations = map[string]string{}
		}
		ds.Spec.Template.Annotations[SimulateAnnotation] = "not-ready"
		ds.Annotations = map[string]string{"kubernetes.io/change-cause": "upgrade fluent-bit to 3.3.0"}
	}); err != nil {
		return err
	}
	// disk-monitor is OnDelete: a new template changes nothing until pods
	// are deleted. Delete those of the first zone and of half the second,
	// as an operator going zone by zone would: the third zone lags.
	say("updating disk-monitor (OnDelete) and replacing its pods in %s and half of %s", Zones[0], Zones[1])
	if err := p.UpdateDaemonSet(ctx, "monitoring", "disk-monitor", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "example.com/disk-monitor:1.1"
	}); err != nil {
		return err
	}
	pods, err := p.Client.CoreV1().Pods("monitoring").List(ctx, metav1.ListOptions{LabelSelector: labels.Set{"app": "disk-monitor"}.String()})
	if err != nil {
		return err
	}
	nodes, err := p.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	zone := map[string]string{}
	for _, n := range nodes.Items {
		zone[n.Name] = n.Labels[ZoneLabel]
	}
	second := 0
	for _, pod := range pods.Items {
		switch zone[pod.Spec.NodeName] {
		case Zones[0]:
		case Zones[1]:
			second++
			if second%2 == 0 {
				continue
			}
		default:
			continue
		}
		if err := p.Client.CoreV1().Pods("monitoring").Delete(ctx, pod.Name, metav1.DeleteOptions{}); err != nil {
			return err
		}
	}
	say("done")
	return nil
}

// UpdateDaemonSet applies change to the latest DaemonSet, retrying on conflict.
func (p *Plane) UpdateDaemonSet(ctx context.Context, namespace, name string, change func(*appsv1.DaemonSet)) error {
	return Wait(ctx, 30*time.Second, "update of "+namespace+"/"+name, func(ctx context.Context) (bool, error) {
		ds, err := p.Client.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		change(ds)
		_, err = p.Client.AppsV1().DaemonSets(namespace).Update(ctx, ds, metav1.UpdateOptions{})
		if err != nil && isConflict(err) {
			return false, nil
		}
		return err == nil, err
	})
}

// WaitDaemonSet waits until cond holds for the DaemonSet.
func (p *Plane) WaitDaemonSet(ctx context.Context, namespace, name string, timeout time.Duration, cond func(*appsv1.DaemonSet) bool) error {
	var last *appsv1.DaemonSet
	err := Wait(ctx, timeout, "DaemonSet "+namespace+"/"+name, func(ctx context.Context) (bool, error) {
		ds, err := p.Client.AppsV1().DaemonSets(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = ds
		return cond(ds), nil
	})
	if err != nil && last != nil {
		s := last.Status
		return fmt.Errorf("%w (generation %d, observed %d, desired %d, current %d, ready %d, updated %d, available %d, misscheduled %d)",
			err, last.Generation, s.ObservedGeneration, s.DesiredNumberScheduled, s.CurrentNumberScheduled, s.NumberReady, s.UpdatedNumberScheduled, s.NumberAvailable, s.NumberMisscheduled)
	}
	return err
}
