//go:build live

package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/dsx-tui/dsx/testenv"
)

// countingProxy stands between dsx and one API server and counts what
// reaches it: every mutating request, and the rest. It can hold access
// reviews, to open a dialog after a context switch.
type countingProxy struct {
	srv      *httptest.Server
	mu       sync.Mutex
	mutating []string
	reads    int
	hold     atomic.Bool
	held     chan struct{}
	release  chan struct{}
}

func newCountingProxy(t *testing.T, p *testenv.Plane) *countingProxy {
	t.Helper()
	target, err := url.Parse(p.Server())
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg, err := rest.TLSConfigFor(p.Config)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0)
	rp.Transport = &http.Transport{TLSClientConfig: tlsCfg}
	rp.FlushInterval = -1
	cp := &countingProxy{held: make(chan struct{}, 16), release: make(chan struct{})}
	// TLS: client-go sends no bearer token to a plain-HTTP server.
	cp.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		review := r.Method == http.MethodPost && (strings.HasSuffix(r.URL.Path, "/selfsubjectaccessreviews") || strings.HasSuffix(r.URL.Path, "/selfsubjectrulesreviews"))
		cp.mu.Lock()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			cp.reads++
		default:
			if !review {
				cp.mutating = append(cp.mutating, r.Method+" "+r.URL.Path)
			}
		}
		cp.mu.Unlock()
		if review && cp.hold.Load() {
			cp.held <- struct{}{}
			<-cp.release
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(cp.srv.Close)
	return cp
}

func (cp *countingProxy) counts() ([]string, int) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return append([]string(nil), cp.mutating...), cp.reads
}

// A delete chosen on cluster one and confirmed after dsx switched to
// cluster two (where a DaemonSet of the same name runs) reaches neither:
// counted at both API servers; the dialog and the status bar say why.
func TestActionBoundToItsClusterTwoPlanes(t *testing.T) {
	ctx := context.Background()
	two, err := testenv.Start(ctx, testenv.Options{ContextName: "two"})
	if err != nil {
		t.Fatal(err)
	}
	defer two.Stop()
	uids := map[string]string{}
	for name, p := range map[string]*testenv.Plane{"one": plane, "two": two} {
		ds, err := p.Client.AppsV1().DaemonSets("default").Create(ctx, testenv.DaemonSet("default", "victim", "agent:1"), metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		uids[name] = string(ds.UID)
	}
	proxies := map[string]*countingProxy{"one": newCountingProxy(t, plane), "two": newCountingProxy(t, two)}
	// One kubeconfig, both clusters behind their counters.
	cfg := clientcmdapi.NewConfig()
	for name, p := range map[string]*testenv.Plane{"one": plane, "two": two} {
		ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxies[name].srv.Certificate().Raw})
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: proxies[name].srv.URL, CertificateAuthorityData: ca}
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: p.Config.BearerToken}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	cfg.CurrentContext = "one"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 160, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", path, "-A")
	s.waitFor(time.Minute, "victim on one", func(x string) bool {
		return strings.Contains(x, "context: one") && strings.Contains(x, "victim") && strings.Contains(x, "connected")
	})
	s.keys("/", "victim", "Enter")
	s.waitFor(10*time.Second, "filtered", func(x string) bool { return strings.Contains(x, "1 of") })

	// ctrl+d on cluster one; its access review is held at the proxy
	// while the user switches to cluster two.
	proxies["one"].hold.Store(true)
	s.keys("C-d")
	select {
	case <-proxies["one"].held:
	case <-time.After(30 * time.Second):
		t.Fatalf("no access review reached cluster one; screen:\n%s", s.capture())
	}
	s.keys(":", "ctx two", "Enter")
	s.waitFor(time.Minute, "on cluster two", func(x string) bool {
		return strings.Contains(x, "context: two") && strings.Contains(x, "victim")
	})
	proxies["one"].hold.Store(false)
	close(proxies["one"].release)
	scr := s.waitFor(30*time.Second, "the dialog of cluster one", func(x string) bool {
		return strings.Contains(x, "Delete DaemonSet default/victim?")
	})
	for _, want := range []string{"CLUSTER: context one", "SERVER:  " + proxies["one"].srv.URL, "dsx is now on context two: confirming sends nothing"} {
		if !strings.Contains(scr, want) {
			t.Fatalf("the dialog does not say %q:\n%s", want, scr)
		}
	}
	s.keys("y")
	why := fmt.Sprintf("✗ refused: the action was chosen on context one (%s), dsx is now on context two: nothing was sent", proxies["one"].srv.URL)
	s.waitFor(30*time.Second, "the refusal", func(x string) bool { return strings.Contains(strings.ReplaceAll(x, "\n", ""), why) })

	// While a switch is in flight no action key works: hold cluster
	// one's access reviews again, so the switch back waits on them.
	for len(proxies["one"].held) > 0 {
		<-proxies["one"].held
	}
	proxies["one"].release = make(chan struct{})
	proxies["one"].hold.Store(true)
	s.keys(":", "ctx one", "Enter")
	select {
	case <-proxies["one"].held:
	case <-time.After(30 * time.Second):
		t.Fatalf("the switch asked cluster one nothing; screen:\n%s", s.capture())
	}
	s.keys("C-d")
	s.waitFor(10*time.Second, "keys refused mid-switch", func(x string) bool {
		return strings.Contains(x, "✗ delete: dsx is switching to context one; wait for it")
	})
	proxies["one"].hold.Store(false)
	close(proxies["one"].release)
	s.waitFor(time.Minute, "back on one", func(x string) bool { return strings.Contains(x, "context: one") && strings.Contains(x, "victim") })

	for name, cp := range proxies {
		mut, reads := cp.counts()
		if len(mut) != 0 {
			t.Errorf("cluster %s received mutating requests: %v", name, mut)
		}
		if reads == 0 {
			t.Errorf("cluster %s: no request counted; the proxy is not on the path", name)
		}
		t.Logf("cluster %s: %d reads, %d mutating", name, reads, len(mut))
	}
	for name, p := range map[string]*testenv.Plane{"one": plane, "two": two} {
		ds, err := p.Client.AppsV1().DaemonSets("default").Get(ctx, "victim", metav1.GetOptions{})
		if err != nil || string(ds.UID) != uids[name] || ds.DeletionTimestamp != nil {
			t.Fatalf("victim on %s: %v", name, err)
		}
	}
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}

// TERM while the editor is open: dsx ends the editor, exits, and names the
// file (0600) that still holds the text; nothing was sent.
func TestEditKeptOnTerm(t *testing.T) {
	const ns = "e2e-term"
	plane.Namespace(t, ns)
	ctx := context.Background()
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "held", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ed := newEditorScript(t)
	ed.touch("hold-%d", 1)
	s := startTmux(t, 160, 30, append(ed.env(), "TERM=xterm-256color"), "--kubeconfig", plane.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "held listed", func(x string) bool { return strings.Contains(x, "held") && strings.Contains(x, "connected") })
	s.keys("e")
	if txt := ed.seen(1); !strings.Contains(txt, "CLUSTER: context dsx-testenv") || !strings.Contains(txt, "image: agent:1") {
		t.Fatalf("editor text:\n%s", txt)
	}
	pid := strings.TrimSpace(runCmd(t, "tmux", "-S", s.sock, "display-message", "-p", "-t", s.name, "#{pane_pid}"))
	// The pane runs a shell that runs dsx: TERM goes to dsx, its child.
	out := strings.Fields(runCmd(t, "pgrep", "-P", pid, "-f", dsxBin))
	if len(out) != 1 {
		t.Fatalf("dsx's pid under the pane: %q", out)
	}
	runCmd(t, "kill", "-TERM", out[0])
	s.paneExit(30 * time.Second)
	scr := s.waitFor(10*time.Second, "the path on the way out", func(x string) bool { return strings.Contains(x, "your text is in ") })
	i := strings.Index(scr, "your text is in ")
	path := strings.Fields(scr[i+len("your text is in "):])[0]
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("kept file %s: %v (mode %v)", path, err, fi)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "name: held") {
		t.Fatalf("kept file holds:\n%s", b)
	}
	os.Remove(path)
	if img := dsImage(t, ns, "held"); img != "agent:1" {
		t.Fatalf("image changed: %s", img)
	}
}
