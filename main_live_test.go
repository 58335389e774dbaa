//go:build live

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/dsx-tui/dsx/testenv"
)

var (
	plane  *testenv.Plane
	dsxBin string
	// editorBin plays the user's $EDITOR (testenv/fakeeditor).
	editorBin string
)

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(ctx context.Context, p *testenv.Plane) error {
		plane = p
		dir, err := os.MkdirTemp("", "dsx-bin-")
		if err != nil {
			return err
		}
		dsxBin = filepath.Join(dir, "dsx")
		if out, err := exec.Command("go", "build", "-o", dsxBin, ".").CombinedOutput(); err != nil {
			return &buildError{out: string(out), err: err}
		}
		editorBin = filepath.Join(dir, "fakeeditor")
		if out, err := exec.Command("go", "build", "-o", editorBin, "./testenv/fakeeditor").CombinedOutput(); err != nil {
			return &buildError{out: string(out), err: err}
		}
		_, err = p.AddNodes(ctx, "node", 20, testenv.NodeSpec{})
		return err
	}))
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// tmuxSession runs the real binary in a detached tmux session of the given
// size; capture returns what the pane shows.
type tmuxSession struct {
	t        *testing.T
	name     string
	sock     string
	exitFile string
}

func startTmux(t *testing.T, w, h int, env []string, args ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for end-to-end tests: apt-get install tmux")
	}
	name := "dsx-e2e-" + strings.ReplaceAll(t.Name(), "/", "-")
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	s := &tmuxSession{t: t, name: name, sock: sock}
	s.exitFile = filepath.Join(t.TempDir(), "exit-status")
	cmdline := dsxBin
	for _, a := range args {
		if strings.HasPrefix(a, "<") {
			// A redirection for the shell, not an argument.
			cmdline += " " + a
			continue
		}
		cmdline += " '" + a + "'"
	}
	// The shell records dsx's exit status and keeps the pane open, so the
	// test can read both the status and what dsx left on the screen.
	cmdline += "; echo $? > " + s.exitFile + "; exec sleep 3600"
	tm := []string{"-S", sock, "new-session", "-d", "-s", name, "-x", itoa(w), "-y", itoa(h)}
	// A UTF-8 locale unless the test chooses one: dsx draws ASCII only
	// under a locale that is not UTF-8, and CI machines often have none.
	locale := false
	for _, e := range env {
		locale = locale || strings.HasPrefix(e, "LANG=") || strings.HasPrefix(e, "LC_ALL=")
	}
	if !locale {
		env = append(env, "LANG=C.UTF-8")
	}
	for _, e := range env {
		tm = append(tm, "-e", e)
	}
	tm = append(tm, cmdline)
	runCmd(t, append([]string{"tmux"}, tm...)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", sock, "kill-server").Run() })
	return s
}

func runCmd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) capture() string {
	out, _ := exec.Command("tmux", "-S", s.sock, "capture-pane", "-p", "-t", s.name).CombinedOutput()
	return string(out)
}

func (s *tmuxSession) keys(k ...string) {
	runCmd(s.t, append([]string{"tmux", "-S", s.sock, "send-keys", "-t", s.name}, k...)...)
}

func (s *tmuxSession) waitFor(timeout time.Duration, what string, cond func(string) bool) string {
	s.t.Helper()
	var last string
	err := testenv.Wait(context.Background(), timeout, what, func(context.Context) (bool, error) {
		last = s.capture()
		return cond(last), nil
	})
	if err != nil {
		s.t.Fatalf("%v; screen:\n%s", err, last)
	}
	return last
}

// paneExit waits for dsx to exit and returns its status.
func (s *tmuxSession) paneExit(timeout time.Duration) string {
	s.t.Helper()
	var status string
	err := testenv.Wait(context.Background(), timeout, "dsx to exit", func(context.Context) (bool, error) {
		b, err := os.ReadFile(s.exitFile)
		status = strings.TrimSpace(string(b))
		return err == nil && status != "", nil
	})
	if err != nil {
		// Ask the Go runtime where it is stuck: SIGQUIT prints every
		// goroutine into the pane.
		if out, err := exec.Command("pgrep", "-f", "^"+dsxBin).CombinedOutput(); err == nil {
			for _, f := range strings.Fields(string(out)) {
				if pid, err := strconv.Atoi(f); err == nil {
					_ = syscall.Kill(pid, syscall.SIGQUIT)
				}
			}
			_ = testenv.Wait(context.Background(), 5*time.Second, "the dump", func(context.Context) (bool, error) {
				_, err := os.Stat(s.exitFile)
				return err == nil, nil
			})
		}
		hist, _ := exec.Command("tmux", "-S", s.sock, "capture-pane", "-p", "-S", "-400", "-t", s.name).CombinedOutput()
		s.t.Fatalf("%v; pane history:\n%s", err, hist)
	}
	return status
}

func itoa(i int) string { return strconv.Itoa(i) }

// The real binary, in a real terminal, lists DaemonSets live and quits on q.
func TestBinaryInTmux(t *testing.T) {
	ctx := context.Background()
	plane.Namespace(t, "e2e")
	if _, err := plane.Client.AppsV1().DaemonSets("e2e").Create(ctx, testenv.DaemonSet("e2e", "tmux-agent", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 120, 30, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-A")
	row := regexp.MustCompile(`(?m)^e2e\s+tmux-agent\s+20\s+20\s+20\s+20\s+20\s+0\s`)
	s.waitFor(2*time.Minute, "tmux-agent with 20 ready", row.MatchString)
	if _, err := plane.AddNode(ctx, "tmux-late", testenv.NodeSpec{}); err != nil {
		t.Fatal(err)
	}
	row21 := regexp.MustCompile(`(?m)^e2e\s+tmux-agent\s+21\s+21\s+21\s+21\s+21\s+0\s`)
	scr := s.waitFor(2*time.Minute, "tmux-agent with 21 ready", row21.MatchString)
	if !strings.Contains(scr, "context: dsx-testenv") {
		t.Errorf("title does not name the context:\n%s", scr)
	}
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("dsx exited with status %s after q", st)
	}
}

// A broken kubeconfig ends with one clear line and a non-zero exit,
// before any terminal UI starts.
func TestBadKubeconfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("this: is: not: yaml: ["), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown context", []string{"--kubeconfig", plane.Kubeconfig, "--context", "nope"}, `context "nope" not found in kubeconfig`},
		{"missing file", []string{"--kubeconfig", filepath.Join(dir, "missing")}, "missing"},
		{"invalid yaml", []string{"--kubeconfig", bad}, "kubeconfig"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(dsxBin, c.args...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("exit 0, want failure; output %q", out)
			}
			text := strings.TrimSpace(string(out))
			if !strings.HasPrefix(text, "dsx: ") || !strings.Contains(text, c.want) || strings.Contains(text, "goroutine") {
				t.Fatalf("output %q: want one dsx: line containing %q", text, c.want)
			}
		})
	}
}

// In the real binary: filter to a DaemonSet, drill into its nodes, filter
// the nodes, toggle problems only, go back.
func TestBinaryDrillAndFilter(t *testing.T) {
	ctx := context.Background()
	if _, err := plane.AddNode(ctx, "gpu-a", testenv.NodeSpec{Labels: map[string]string{"accelerator": "nvidia"}}); err != nil {
		t.Fatal(err)
	}
	ds := testenv.DaemonSet("default", "gpu-driver", "driver:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"accelerator": "nvidia"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 140, 40, []string{"TERM=screen"}, "--kubeconfig", plane.Kubeconfig)
	s.waitFor(time.Minute, "gpu-driver listed", func(x string) bool { return strings.Contains(x, "gpu-driver") })
	s.keys("/", "gpudrv", "Enter")
	s.waitFor(10*time.Second, "filtered list", func(x string) bool {
		return strings.Contains(x, "1 of") && strings.Contains(x, "gpu-driver")
	})
	s.keys("Enter")
	scr := s.waitFor(time.Minute, "node view with gpu-a current", func(x string) bool {
		return regexp.MustCompile(`(?m)^gpu-a\s+✓ current`).MatchString(x)
	})
	if !regexp.MustCompile(`(?m)^node-0\s+- ineligible\s.*node selector accelerator=nvidia not matched`).MatchString(scr) {
		t.Errorf("node-0 not explained:\n%s", scr)
	}
	s.keys("p")
	s.waitFor(10*time.Second, "no problems", func(x string) bool { return strings.Contains(x, "No problems") })
	s.keys("p", "/", "node-1", "Enter")
	s.waitFor(10*time.Second, "node filter", func(x string) bool {
		return strings.Contains(x, "node-1 ") && !strings.Contains(x, "gpu-a ")
	})
	s.keys("Escape")
	s.waitFor(10*time.Second, "node filter cleared", func(x string) bool { return strings.Contains(x, "gpu-a ") })
	s.keys("Escape")
	s.waitFor(10*time.Second, "back to the list", func(x string) bool { return listTitle.MatchString(x) })
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}

func runDsx(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(dsxBin, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// dsx status prints the node view once, as JSON or a table, and its exit
// status says whether the rollout is healthy; --wait waits for it.
func TestStatusCommand(t *testing.T) {
	ctx := context.Background()
	kc := plane.Kubeconfig
	for i := range 3 {
		if _, err := plane.AddNode(ctx, fmt.Sprintf("st-%d", i), testenv.NodeSpec{Labels: map[string]string{"pool": "status"}}); err != nil {
			t.Fatal(err)
		}
	}
	ds := testenv.DaemonSet("default", "st-agent", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "status"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runDsx(t, "status", "--kubeconfig", kc, "-n", "default", "st-agent", "--wait", "--timeout", "2m", "-o", "json")
	if code != 0 {
		t.Fatalf("status --wait exit %d; stderr:\n%s", code, errOut)
	}
	var st statusJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("bad JSON %v:\n%s", err, out)
	}
	current := 0
	for _, n := range st.Nodes {
		if strings.HasPrefix(n.Node, "st-") && n.State == "current" && n.Ready && n.CurrentRevision && n.Revision == 1 && n.Pod != "" {
			current++
		}
		if n.Node == "node-0" && (n.State != "ineligible" || !strings.Contains(n.Reason, "pool=status")) {
			t.Errorf("node-0: %+v", n)
		}
	}
	if current != 3 || st.Revision != 1 || !st.Healthy || st.Namespace != "default" || st.Name != "st-agent" {
		t.Fatalf("status = %+v (current nodes %d)", st, current)
	}

	// A rollout that cannot finish: exit 1, with the reason per node.
	if err := plane.UpdateDaemonSet(ctx, "default", "st-agent", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
		ds.Spec.Template.Annotations = map[string]string{testenv.SimulateAnnotation: "crashloop"}
	}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runDsx(t, "status", "--kubeconfig", kc, "-n", "default", "st-agent", "--wait", "--timeout", "5s")
	if code != 1 {
		t.Fatalf("stuck rollout: exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Waiting for default/st-agent") || !strings.Contains(out, "CrashLoopBackOff") || !strings.Contains(out, "(old)") {
		t.Fatalf("stuck rollout output lacks progress or reasons; stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if !regexp.MustCompile(`(?m)^rollout blocked on 1 new pod not ready: st-agent-\S+ on st-\d: st-agent: CrashLoopBackOff`).MatchString(out) {
		t.Fatalf("stuck rollout does not say what blocks it; stdout:\n%s", out)
	}

	// Every DaemonSet, and errors.
	out, _, _ = runDsx(t, "status", "--kubeconfig", kc, "-A")
	if !regexp.MustCompile(`(?m)^default\s+st-agent\s+3\s+3\s.*\sblocked$`).MatchString(out) {
		t.Fatalf("list lacks st-agent:\n%s", out)
	}
	_, errOut, code = runDsx(t, "status", "--kubeconfig", kc, "-n", "default", "no-such-ds")
	if code != 2 || !strings.Contains(errOut, "daemonset default/no-such-ds not found") {
		t.Fatalf("missing DaemonSet: exit %d, stderr %q", code, errOut)
	}

	// A finished rollout with a pod left on a node that no longer exists
	// (the pod garbage collector deletes it after 40 s): an orphan,
	// counted nowhere, and --wait returns at once.
	orphan := testenv.DaemonSet("default", "st-orphan", "agent:1")
	orphan.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "status"}
	created, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, orphan, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDaemonSet(ctx, "default", "st-orphan", 2*time.Minute, testenv.DaemonSetSettled); err != nil {
		t.Fatal(err)
	}
	ghost := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "st-orphan-ghost", Labels: map[string]string{"app": "st-orphan", appsv1.DefaultDaemonSetUniqueLabelKey: "ghost"},
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(created, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))}},
		Spec: corev1.PodSpec{NodeName: "st-removed", Containers: []corev1.Container{{Name: "st-orphan", Image: "agent:1"}}},
	}
	if _, err := plane.Client.CoreV1().Pods("default").Create(ctx, ghost, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runDsx(t, "status", "--kubeconfig", kc, "-n", "default", "st-orphan", "--wait", "--timeout", "1m", "-o", "json")
	if code != 0 {
		t.Fatalf("status --wait with an orphan: exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	st = statusJSON{}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("bad JSON %v:\n%s", err, out)
	}
	orphans := 0
	for _, n := range st.Nodes {
		if n.Node == "st-removed" && n.State == "orphaned" && strings.Contains(n.Reason, "node no longer exists; awaiting garbage collection") {
			orphans++
		}
	}
	if orphans != 1 || st.Desired != 3 || st.Misscheduled != 0 {
		t.Fatalf("orphan on st-removed: %d rows, desired %d, misscheduled %d; want 1 3 0:\n%s", orphans, st.Desired, st.Misscheduled, out)
	}
}

// kubeconfigParts returns the plane's server and CA from its kubeconfig.
func kubeconfigParts(t *testing.T) (string, []byte) {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(plane.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Clusters[cfg.Contexts[cfg.CurrentContext].Cluster]
	return c.Server, c.CertificateAuthorityData
}

// Credentials the server rejects end dsx before its UI, with one line.
func TestRejectedToken(t *testing.T) {
	server, ca := kubeconfigParts(t)
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "expired-or-bogus"}
	cfg.Contexts["bad"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	cfg.CurrentContext = "bad"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(dsxBin, "--kubeconfig", path).CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err == nil || !strings.HasPrefix(text, "dsx: ") || !strings.Contains(text, `rejected the credentials of context "bad"`) || strings.Count(text, "\n") != 0 {
		t.Fatalf("exit %v, output %q: want one line naming the rejected credentials", err, text)
	}
}

// An exec credential plugin and a KUBECONFIG of several files work as with
// kubectl.
func TestExecPluginAndMergedKubeconfig(t *testing.T) {
	ctx := context.Background()
	u, err := plane.CreateUser(ctx, "exec-user", "", []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"daemonsets", "controllerrevisions"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"nodes", "pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plugin := filepath.Join(dir, "token-plugin")
	script := "#!/bin/sh\nprintf '%s' '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + u.Token + "\"}}'\n"
	if err := os.WriteFile(plugin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	server, ca := kubeconfigParts(t)
	// File one: the cluster and the exec user. File two: the context.
	one := clientcmdapi.NewConfig()
	one.Clusters["plane"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	one.AuthInfos["exec"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion: "client.authentication.k8s.io/v1", Command: plugin, InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}}
	two := clientcmdapi.NewConfig()
	two.Contexts["via-exec"] = &clientcmdapi.Context{Cluster: "plane", AuthInfo: "exec", Namespace: "default"}
	two.CurrentContext = "via-exec"
	p1, p2 := filepath.Join(dir, "one"), filepath.Join(dir, "two")
	if err := clientcmd.WriteToFile(*one, p1); err != nil {
		t.Fatal(err)
	}
	if err := clientcmd.WriteToFile(*two, p2); err != nil {
		t.Fatal(err)
	}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, testenv.DaemonSet("default", "exec-seen", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(dsxBin, "status", "-A")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+p1+string(os.PathListSeparator)+p2)
	out, err := cmd.CombinedOutput()
	if !strings.Contains(string(out), "exec-seen") {
		t.Fatalf("dsx status through the exec plugin and merged KUBECONFIG: %v\n%s", err, out)
	}
}

// An unreachable server: the UI starts, says so within the request
// timeout, and q quits at once.
func TestUnreachableServer(t *testing.T) {
	_, ca := kubeconfigParts(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["gone"] = &clientcmdapi.Cluster{Server: "https://" + addr, CertificateAuthorityData: ca}
	cfg.AuthInfos["u"] = &clientcmdapi.AuthInfo{Token: "t"}
	cfg.Contexts["gone"] = &clientcmdapi.Context{Cluster: "gone", AuthInfo: "u"}
	cfg.CurrentContext = "gone"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 120, 20, []string{"TERM=xterm-256color"}, "--kubeconfig", path, "--request-timeout", "3s")
	s.waitFor(15*time.Second, "the outage on screen", func(x string) bool {
		return strings.Contains(x, "cannot reach the API server") && strings.Contains(x, "connection refused")
	})
	s.keys("q")
	if st := s.paneExit(5 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}

// Two independent clusters: :ctx switches between them live, the picker
// marks the current one, and coming back restores where the user was.
func TestSwitchBetweenTwoClusters(t *testing.T) {
	ctx := context.Background()
	two, err := testenv.Start(ctx, testenv.Options{ContextName: "two"})
	if err != nil {
		t.Fatal(err)
	}
	defer two.Stop()
	if _, err := two.AddNodes(ctx, "far", 3, testenv.NodeSpec{}); err != nil {
		t.Fatal(err)
	}
	if _, err := two.Client.AppsV1().DaemonSets("default").Create(ctx, testenv.DaemonSet("default", "only-in-two", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ds := testenv.DaemonSet("default", "only-in-one", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": "node-3"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// One kubeconfig with both contexts, as operators have.
	merged := clientcmdapi.NewConfig()
	for _, src := range []string{plane.Kubeconfig, two.Kubeconfig} {
		c, err := clientcmd.LoadFromFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range c.Clusters {
			merged.Clusters[k] = v
		}
		for k, v := range c.Contexts {
			merged.Contexts[k] = v
		}
		for k, v := range c.AuthInfos {
			merged.AuthInfos[k+"-"+filepath.Base(filepath.Dir(src))] = v
			for _, cx := range c.Contexts {
				if cx.AuthInfo == k {
					cx.AuthInfo = k + "-" + filepath.Base(filepath.Dir(src))
				}
			}
		}
	}
	merged.CurrentContext = "dsx-testenv"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*merged, path); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 140, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", path)
	s.waitFor(time.Minute, "only-in-one", func(x string) bool { return strings.Contains(x, "only-in-one") })
	// Go somewhere: the node view of only-in-one.
	s.keys("/", "onlyinone", "Enter")
	s.waitFor(10*time.Second, "filtered", func(x string) bool { return strings.Contains(x, "1 of") })
	s.keys("Enter")
	s.waitFor(time.Minute, "node view", func(x string) bool {
		return strings.Contains(x, "default/only-in-one · sort") && regexp.MustCompile(`(?m)^node-3\s+✓ current`).MatchString(x)
	})
	s.keys(":", "ctx", "Enter")
	scr := s.waitFor(10*time.Second, "the context picker", func(x string) bool {
		return strings.Contains(x, "Pick a context") && strings.Contains(x, "two  (cluster two")
	})
	if !regexp.MustCompile(`● dsx-testenv `).MatchString(scr) {
		t.Errorf("current context not marked:\n%s", scr)
	}
	s.keys("/", "two", "Enter")
	s.keys("Enter")
	s.waitFor(time.Minute, "the second cluster", func(x string) bool {
		return strings.Contains(x, "context: two") && strings.Contains(x, "only-in-two") && !strings.Contains(x, "only-in-one")
	})
	s.keys("X")
	s.waitFor(10*time.Second, "the picker again", func(x string) bool { return strings.Contains(x, "● two ") })
	s.keys("/", "testenv", "Enter")
	s.keys("Enter")
	s.waitFor(time.Minute, "back where we were", func(x string) bool {
		return strings.Contains(x, "context: dsx-testenv") && strings.Contains(x, "default/only-in-one · sort") &&
			regexp.MustCompile(`(?m)^node-3\s+✓ current`).MatchString(x)
	})
	// :ns all widens the scope in the same context.
	s.keys("Escape")
	s.waitFor(10*time.Second, "the list", func(x string) bool { return listTitle.MatchString(x) })
	s.keys(":", "ns all", "Enter")
	s.waitFor(time.Minute, "all namespaces", func(x string) bool {
		return strings.Contains(x, "namespace: all") && strings.Contains(x, "NAMESPACE")
	})
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}

// listTitle is the list's title, "1 DaemonSet" or "N DaemonSets".
var listTitle = regexp.MustCompile(`DaemonSets? · sort`)
