//go:build live

package main

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/testenv"
)

// fleetKubeconfig writes one kubeconfig with a context per plane (named
// as given), one whose server accepts connections and never answers, and
// one with a token plane a rejects.
func fleetKubeconfig(t *testing.T, planes map[string]*testenv.Plane, hang string, tokens map[string]string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	var firstServer string
	var firstCA []byte
	for name, p := range planes {
		c, err := clientcmd.LoadFromFile(p.Kubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		cx := c.Contexts[c.CurrentContext]
		cl, u := c.Clusters[cx.Cluster], c.AuthInfos[cx.AuthInfo]
		cfg.Clusters[name], cfg.AuthInfos[name] = cl, u
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
		if name == "fleet-a" {
			firstServer, firstCA = cl.Server, cl.CertificateAuthorityData
		}
	}
	cfg.Clusters["hang"] = &clientcmdapi.Cluster{Server: "https://" + hang, CertificateAuthorityData: firstCA}
	cfg.AuthInfos["hang"] = &clientcmdapi.AuthInfo{Token: "t"}
	cfg.Contexts["fleet-hang"] = &clientcmdapi.Context{Cluster: "hang", AuthInfo: "hang"}
	cfg.Clusters["bad"] = &clientcmdapi.Cluster{Server: firstServer, CertificateAuthorityData: firstCA}
	cfg.AuthInfos["bad"] = &clientcmdapi.AuthInfo{Token: "expired-or-bogus"}
	cfg.Contexts["fleet-badtoken"] = &clientcmdapi.Context{Cluster: "bad", AuthInfo: "bad"}
	// A login helper that must prompt: dsx never lets it.
	cfg.AuthInfos["login"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion: "client.authentication.k8s.io/v1", Command: "/bin/false", InteractiveMode: clientcmdapi.AlwaysExecInteractiveMode,
	}}
	cfg.Contexts["fleet-login"] = &clientcmdapi.Context{Cluster: "bad", AuthInfo: "login"}
	// Restricted users of plane a.
	for name, token := range tokens {
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: "bad", AuthInfo: name}
	}
	cfg.CurrentContext = "fleet-a"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// blackhole accepts connections and never answers: a cluster behind a
// dead load balancer.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func setImage(t *testing.T, p *testenv.Plane, image string) {
	t.Helper()
	ctx := context.Background()
	ds, err := p.Client.AppsV1().DaemonSets("fleet").Get(ctx, "agent", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ds.Spec.Template.Spec.Containers[0].Image = image
	if _, err := p.Client.AppsV1().DaemonSets("fleet").Update(ctx, ds, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// cluster and cell find a context's column and the agent's cell in it.
func fleetCell(s kube.FleetSnapshot, context string) (kube.FleetCluster, kube.FleetCell, bool) {
	t := kube.BuildFleetTable(s)
	for ci, c := range t.Clusters {
		if c.Context != context {
			continue
		}
		for _, r := range t.Rows {
			if r.Key() == "fleet/agent" {
				return c, r.Cells[ci], true
			}
		}
		return c, kube.FleetCell{}, false
	}
	return kube.FleetCluster{}, kube.FleetCell{}, false
}

func agentDrift(s kube.FleetSnapshot) bool {
	for _, r := range kube.BuildFleetTable(s).Rows {
		if r.Key() == "fleet/agent" {
			return r.Drift
		}
	}
	return false
}

// Three real planes (one on Kubernetes 1.34), a context that never
// answers and one whose credentials are rejected: the reachable clusters
// are listed while the silent one still connects; drift appears when one
// cluster's image changes; a plane stopped mid-test is shown unreachable
// while the others keep moving, and comes back; dsx status --fleet's JSON
// and exit codes; and the real binary's fleet view, drilling into one
// cluster's node view and back to the same cell.
func TestFleetAcrossThreePlanesLive(t *testing.T) {
	ctx := context.Background()
	planes := map[string]*testenv.Plane{"fleet-a": plane}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var startErr error
	for name, version := range map[string]string{"fleet-b": "", "fleet-c": "1.34"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := testenv.Start(ctx, testenv.Options{ContextName: name, Version: version})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				startErr = err
				return
			}
			planes[name] = p
		}()
	}
	wg.Wait()
	for name, p := range planes {
		if name != "fleet-a" {
			t.Cleanup(func() { p.Stop() })
		}
	}
	if startErr != nil {
		t.Fatal(startErr)
	}
	for name, p := range planes {
		node := name + "-n0"
		if name == "fleet-a" {
			node = "node-0"
			if err := p.LabelNode(ctx, node, "fleet", "yes"); err != nil {
				t.Fatal(err)
			}
		} else if _, err := p.AddNode(ctx, node, testenv.NodeSpec{Labels: map[string]string{"fleet": "yes"}}); err != nil {
			t.Fatal(err)
		}
		p.Namespace(t, "fleet")
		ds := testenv.DaemonSet("fleet", "agent", "registry.example/agent:v1")
		ds.Spec.Template.Spec.NodeSelector = map[string]string{"fleet": "yes"}
		if _, err := p.Client.AppsV1().DaemonSets("fleet").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// RBAC, said per cluster: one user may list DaemonSets but not
	// nodes, another may only get DaemonSets.
	noNodes, err := plane.CreateUser(ctx, "fleet-no-nodes", "", []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"daemonsets"}, Verbs: []string{"get", "list", "watch"}}})
	if err != nil {
		t.Fatal(err)
	}
	getOnly, err := plane.CreateUser(ctx, "fleet-get-only", "", []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"daemonsets"}, Verbs: []string{"get"}}})
	if err != nil {
		t.Fatal(err)
	}
	path := fleetKubeconfig(t, planes, blackhole(t), map[string]string{"fleet-no-nodes": noNodes.Token, "fleet-get-only": getOnly.Token})

	// The watcher itself.
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &path
	sel := []string{"fleet-a", "fleet-b", "fleet-c", "fleet-hang", "fleet-badtoken", "fleet-no-nodes", "fleet-get-only", "fleet-login"}
	f := kube.NewFleet(kube.ResolveFleet(flags, sel, false), "fleet", kube.FleetOptions{ConnectTimeout: 90 * time.Second, RetryMin: 200 * time.Millisecond, RetryMax: 2 * time.Second, NodesEvery: 2 * time.Second})
	start := time.Now()
	f.Start(ctx)
	defer f.Shutdown()
	var snap kube.FleetSnapshot
	waitFleet := func(what string, cond func(kube.FleetSnapshot) bool) {
		t.Helper()
		testenv.WaitT(t, 3*time.Minute, what, func(context.Context) (bool, error) {
			snap = f.Snapshot()
			return cond(snap), nil
		})
	}
	reachable := func(s kube.FleetSnapshot) bool {
		for _, name := range []string{"fleet-a", "fleet-b", "fleet-c"} {
			if _, cell, ok := fleetCell(s, name); !ok || !cell.Present {
				return false
			}
		}
		return true
	}
	waitFleet("the three reachable clusters listed", reachable)
	listed := time.Since(start)
	if c, _, _ := fleetCell(snap, "fleet-hang"); c.State != kube.ClusterConnecting {
		t.Fatalf("the silent cluster is %q after %v: the others should not have waited for its 90 s connect timeout", c.State, listed)
	}
	waitFleet("the rejected token said", func(s kube.FleetSnapshot) bool {
		c, _, _ := fleetCell(s, "fleet-badtoken")
		return c.State == kube.ClusterUnauthorized
	})
	t.Logf("three planes listed %v after start, while the silent one still connected", listed.Round(time.Millisecond))
	waitFleet("the exec plugin that would prompt said", func(s kube.FleetSnapshot) bool {
		c, _, _ := fleetCell(s, "fleet-login")
		return c.State == kube.ClusterLogin
	})
	waitFleet("RBAC limits said per cluster", func(s kube.FleetSnapshot) bool {
		nn, cell, _ := fleetCell(s, "fleet-no-nodes")
		g, _, _ := fleetCell(s, "fleet-get-only")
		return nn.State == kube.ClusterOK && cell.Present && strings.Contains(strings.Join(nn.Limits, ";"), "no list on nodes") && nn.Nodes == -1 &&
			g.State == kube.ClusterForbidden && strings.Contains(strings.Join(g.Limits, ";"), "RBAC: no list/watch on daemonsets in namespace fleet")
	})
	waitFleet("node counts", func(s kube.FleetSnapshot) bool {
		c, _, _ := fleetCell(s, "fleet-b")
		return c.Nodes == 1
	})
	if agentDrift(snap) {
		t.Fatal("drift before any image changed")
	}

	// Drift when one cluster's DaemonSet changes image.
	setImage(t, planes["fleet-b"], "registry.example/agent:v2")
	waitFleet("drift on fleet-b's v2", func(s kube.FleetSnapshot) bool {
		_, cell, _ := fleetCell(s, "fleet-b")
		return agentDrift(s) && cell.Tag == "v2"
	})

	// fleet-c (1.34) goes away: its column says so, the others move on.
	pc := planes["fleet-c"]
	if err := pc.StopAPIServer(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	defer func() {
		if !restarted {
			_ = pc.StartAPIServer(ctx)
		}
	}()
	waitFleet("fleet-c unreachable, its data kept as stale", func(s kube.FleetSnapshot) bool {
		c, cell, _ := fleetCell(s, "fleet-c")
		return c.State == kube.ClusterUnreachable && cell.Present && cell.Stale
	})
	setImage(t, planes["fleet-a"], "registry.example/agent:v2")
	waitFleet("fleet-a's change seen while fleet-c is down", func(s kube.FleetSnapshot) bool {
		_, cell, _ := fleetCell(s, "fleet-a")
		c, _, _ := fleetCell(s, "fleet-c")
		return cell.Tag == "v2" && c.State == kube.ClusterUnreachable
	})
	if err := pc.StartAPIServer(ctx); err != nil {
		t.Fatal(err)
	}
	restarted = true
	waitFleet("fleet-c back", func(s kube.FleetSnapshot) bool {
		c, _, _ := fleetCell(s, "fleet-c")
		return c.State == kube.ClusterOK
	})
	setImage(t, pc, "registry.example/agent:v2")
	waitFleet("fleet-c on v2 and no drift", func(s kube.FleetSnapshot) bool {
		_, cell, _ := fleetCell(s, "fleet-c")
		return cell.Tag == "v2" && !cell.Stale && !agentDrift(s)
	})
	f.Shutdown()

	// dsx status --fleet: converged over the three planes (with --wait,
	// as the v2 rollouts finish), not with the silent and rejected ones.
	out, errOut, code := runDsx(t, "status", "--fleet", "--kubeconfig", path, "--contexts", "fleet-[abc]", "-o", "json", "--wait", "--timeout", "3m", "agent")
	var got fleetStatusJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitHealthy || !got.Converged || len(got.Clusters) != 3 || len(got.DaemonSets) != 1 {
		t.Fatalf("status --fleet over three planes: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	for _, c := range got.DaemonSets[0].Clusters {
		if c.Tag != "v2" || c.Status != kube.MarkComplete || c.Desired != 1 {
			t.Errorf("cell %+v, want v2 complete with 1 desired", c)
		}
	}
	out, errOut, code = runDsx(t, "status", "--fleet", "--kubeconfig", path, "--contexts", "fleet-[abc],fleet-hang,fleet-badtoken", "--request-timeout", "5s", "-o", "json")
	got = fleetStatusJSON{}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitUnhealthy || got.Converged {
		t.Fatalf("status --fleet with a silent and a rejected context: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	states := map[string]string{}
	for _, c := range got.Clusters {
		states[c.Context] = c.State
	}
	if states["fleet-hang"] != string(kube.ClusterUnreachable) || states["fleet-badtoken"] != string(kube.ClusterUnauthorized) || states["fleet-c"] != string(kube.ClusterOK) {
		t.Fatalf("cluster states %v", states)
	}
	if _, errOut, code := runDsx(t, "status", "--fleet", "--kubeconfig", path, "--contexts", "nope-*"); code != exitError || !strings.Contains(errOut, `no context matches "nope-*"`) {
		t.Fatalf("a glob that matches nothing: exit %d, %q", code, errOut)
	}

	// The binary: the fleet view, enter on fleet-b's cell opens its node
	// view there, esc comes back to the same cell.
	s := startTmux(t, 160, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", path, "--fleet", "--contexts", "fleet-a,fleet-b,fleet-c")
	s.waitFor(2*time.Minute, "the fleet", func(x string) bool {
		return strings.Contains(x, "3 of 3 clusters connected") && strings.Contains(x, "fleet/agent")
	})
	// Row 1 is fleet/agent (the only DaemonSet in namespace fleet sorts
	// after kube-system's, if any): filter to it, then one cluster right.
	s.keys("/", "fleet/agent", "Enter", "Right")
	s.waitFor(30*time.Second, "fleet-b's cell", func(x string) bool { return strings.Contains(x, " fleet-b: fleet/agent ✓ complete") })
	s.keys("Enter")
	s.waitFor(time.Minute, "fleet-b's node view", func(x string) bool {
		return strings.Contains(x, "context: fleet-b") && strings.Contains(x, "fleet-b-n0") && !strings.Contains(x, "clusters connected")
	})
	s.keys("Escape")
	s.waitFor(30*time.Second, "back on fleet-b's cell", func(x string) bool {
		return strings.Contains(x, "clusters connected") && strings.Contains(x, " fleet-b: fleet/agent ✓ complete")
	})
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}
