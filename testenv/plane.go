// Package testenv runs a real Kubernetes control plane on 127.0.0.1 for dsx's
// tests, demo and benchmarks: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok, whose fake kubelets make nodes Ready and pods Running.
package testenv

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Options tune a plane. The zero value is what tests want.
type Options struct {
	// Progress receives build and start-up messages; nil discards them.
	Progress io.Writer
	// ControllerQPS is the controller-manager's API QPS (burst is twice it);
	// 0 means 100, well above the default 20 so set-ups do not crawl.
	ControllerQPS int
	// SchedulerQPS is the scheduler's API QPS (burst twice it); 0 means
	// ControllerQPS. Every daemon pod costs the scheduler one binding call,
	// so big scenarios raise it with the controller's.
	SchedulerQPS int
	// NodeLeaseSeconds is kwok's node lease duration; leases are renewed
	// every quarter of it. 0 means 40. At thousands of nodes the renewals
	// alone would saturate a small machine, so scale scenarios lengthen it
	// (and NodeMonitorGrace with it).
	NodeLeaseSeconds int
	// NodeMonitorGrace is how long the node-lifecycle controller waits for
	// a heartbeat before it marks a node NotReady; 0 keeps its default.
	NodeMonitorGrace time.Duration
	// ContextName names the context in the written kubeconfig.
	ContextName string
	// Version is the Kubernetes release of the API server, controller
	// manager and scheduler: "" or DefaultVersion (1.37), or "1.34" (see
	// Versions). Each is built once and cached.
	Version string
}

// Plane is a running control plane.
type Plane struct {
	// Dir holds the plane's state, certificates, logs and kubeconfig.
	Dir string
	// Kubeconfig is an admin kubeconfig for the plane.
	Kubeconfig string
	// Config is the admin client configuration.
	Config *rest.Config
	// Client is an admin clientset.
	Client kubernetes.Interface

	bins     Binaries
	pki      *pki
	apiPort  int
	etcdPort int
	// kubeletPort is where kwok serves the kubelet API (logs) for every
	// fake node; the API server reaches it at the node's InternalIP.
	kubeletPort int
	adminToken  string
	opts        Options
	// kubeVersion is the release the plane runs, e.g. v1.34.4.
	kubeVersion string

	// streamsErr says why kwok serves no per-pod exec and port-forward.
	streamsErr error

	mu    sync.Mutex
	procs map[string]*proc
	// ports of the API server across restarts stay the same so that clients
	// reconnect without being told.
	stopped bool
}

// KubeVersion is the Kubernetes release the plane runs, e.g. v1.34.4.
func (p *Plane) KubeVersion() string { return p.kubeVersion }

// Component names, in start order.
const (
	Etcd              = "etcd"
	APIServer         = "kube-apiserver"
	ControllerManager = "kube-controller-manager"
	Scheduler         = "kube-scheduler"
	Kwok              = "kwok"
)

// Start builds (or finds cached) binaries and starts a fresh plane. The plane
// is stopped by Stop; if the calling process dies first, its children die with
// it (Pdeathsig).
func Start(ctx context.Context, opts Options) (_ *Plane, err error) {
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.ControllerQPS == 0 {
		opts.ControllerQPS = 100
	}
	if opts.SchedulerQPS == 0 {
		opts.SchedulerQPS = opts.ControllerQPS
	}
	if opts.NodeLeaseSeconds == 0 {
		opts.NodeLeaseSeconds = 40
	}
	if opts.ContextName == "" {
		opts.ContextName = "dsx-testenv"
	}
	pv, err := lookupVersion(opts.Version)
	if err != nil {
		return nil, err
	}
	bins, err := EnsureBinariesFor(opts.Version, opts.Progress)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "dsx-plane-")
	if err != nil {
		return nil, err
	}
	p := &Plane{Dir: dir, bins: bins, opts: opts, kubeVersion: pv.kube, procs: map[string]*proc{}}
	defer func() {
		if err != nil {
			p.Stop()
		}
	}()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o700); err != nil {
		return nil, err
	}
	if p.pki, err = newPKI(dir); err != nil {
		return nil, err
	}
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	p.apiPort, p.etcdPort, p.kubeletPort = ports[0], ports[1], ports[3]
	peerPort := ports[2]
	p.adminToken = randomToken()
	// Every component authenticates with a static token; users made by tests
	// get service-account tokens instead (see CreateUser), which need no restart.
	tokens := fmt.Sprintf("%s,admin,admin-uid,\"system:masters\"\n", p.adminToken)
	if err := os.WriteFile(filepath.Join(dir, "tokens.csv"), []byte(tokens), 0o600); err != nil {
		return nil, err
	}
	if err := p.writeKubeconfig(); err != nil {
		return nil, err
	}
	logs, prevLogs := filepath.Join(dir, "container.log"), filepath.Join(dir, "container-previous.log")
	if err := os.WriteFile(logs, []byte(sampleLogs), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(prevLogs, []byte(samplePreviousLogs), 0o600); err != nil {
		return nil, err
	}
	execDir := filepath.Join(dir, "exec")
	if err := os.MkdirAll(execDir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "kwok.yaml"), []byte(kwokConfig(logs, prevLogs, execDir, pv.kube)), 0o600); err != nil {
		return nil, err
	}

	t0 := time.Now()
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(p.etcdPort)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peerPort)
	if err := p.start(Etcd, bins.Etcd,
		"--name=default",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL,
		"--advertise-client-urls="+etcdURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL,
		"--unsafe-no-fsync",
		"--log-level=warn",
	); err != nil {
		return nil, err
	}
	if err := p.waitHTTP(ctx, Etcd, etcdURL+"/health", 30*time.Second, func(b []byte) bool {
		return strings.Contains(string(b), `"health":"true"`)
	}); err != nil {
		return nil, err
	}
	if err := p.startAPIServer(); err != nil {
		return nil, err
	}
	if err := p.WaitAPIServer(ctx, 60*time.Second); err != nil {
		return nil, err
	}
	if p.Config, err = clientcmd.BuildConfigFromFlags("", p.Kubeconfig); err != nil {
		return nil, err
	}
	// Set-ups create hundreds of objects; client-side throttling would
	// only slow them.
	p.Config.QPS, p.Config.Burst = 500, 1000
	if p.Client, err = kubernetes.NewForConfig(p.Config); err != nil {
		return nil, err
	}
	// Without kwok's definitions (no module source to read them from)
	// the plane still runs; only ServeExec and ServePortForward fail.
	if err := p.installStreamCRDs(ctx); err != nil {
		p.streamsErr = err
		fmt.Fprintf(opts.Progress, "testenv: exec and port-forward per pod unavailable: %v\n", err)
	}
	if err := p.startControllers(); err != nil {
		return nil, err
	}
	// Admission rejects pods until the namespace's default ServiceAccount
	// exists; the serviceaccount controller makes it.
	if err := Wait(ctx, 60*time.Second, "the default ServiceAccount", func(ctx context.Context) (bool, error) {
		_, err := p.Client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}); err != nil {
		return nil, p.withLogs(err, ControllerManager)
	}
	fmt.Fprintf(opts.Progress, "testenv: control plane up in %s at https://127.0.0.1:%d (state in %s)\n", time.Since(t0).Round(10*time.Millisecond), p.apiPort, dir)
	return p, nil
}

func (p *Plane) startAPIServer() error {
	d := p.Dir
	return p.start(APIServer, p.bins.APIServer,
		"--etcd-servers=http://127.0.0.1:"+strconv.Itoa(p.etcdPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(p.apiPort),
		"--tls-cert-file="+p.pki.ServingCert,
		"--tls-private-key-file="+p.pki.ServingKey,
		"--client-ca-file="+p.pki.CACert,
		"--cert-dir="+filepath.Join(d, "apiserver-certs"),
		"--token-auth-file="+filepath.Join(d, "tokens.csv"),
		"--authorization-mode=Node,RBAC",
		"--service-account-key-file="+p.pki.SAPub,
		"--service-account-signing-key-file="+p.pki.SAKey,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--endpoint-reconciler-type=none",
		"--kubelet-certificate-authority="+p.pki.CACert,
		"--kubelet-preferred-address-types=InternalIP",
		"--allow-privileged=true",
		"--profiling=false",
		"--v=1",
	)
}

func (p *Plane) startControllers() error {
	kc := p.Kubeconfig
	qps := p.opts.ControllerQPS
	cmArgs := []string{
		"--kubeconfig=" + kc,
		"--leader-elect=false",
		"--secure-port=0",
		"--controllers=daemonset-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller,serviceaccount-token-controller,node-lifecycle-controller,pod-garbage-collector-controller,taint-eviction-controller,clusterrole-aggregation-controller,root-ca-certificate-publisher-controller",
		"--service-account-private-key-file=" + p.pki.SAKey,
		"--root-ca-file=" + p.pki.CACert,
		"--use-service-account-credentials=false",
		"--kube-api-qps=" + strconv.Itoa(qps),
		"--kube-api-burst=" + strconv.Itoa(2*qps),
		"--profiling=false",
	}
	if g := p.opts.NodeMonitorGrace; g > 0 {
		cmArgs = append(cmArgs, "--node-monitor-grace-period="+g.String())
	}
	if err := p.start(ControllerManager, p.bins.ControllerManager, cmArgs...); err != nil {
		return err
	}
	sqps := p.opts.SchedulerQPS
	if err := p.start(Scheduler, p.bins.Scheduler,
		"--kubeconfig="+kc,
		"--leader-elect=false",
		"--secure-port=0",
		"--kube-api-qps="+strconv.Itoa(sqps),
		"--kube-api-burst="+strconv.Itoa(2*sqps),
		"--profiling=false",
	); err != nil {
		return err
	}
	return p.start(Kwok, p.bins.Kwok,
		"--kubeconfig="+kc,
		"--config="+filepath.Join(p.Dir, "kwok.yaml"),
		"--enable-crds="+p.streamKinds(),
		"--manage-all-nodes=false",
		"--manage-nodes-with-annotation-selector="+FakeNodeAnnotation+"=fake",
		"--node-lease-duration-seconds="+strconv.Itoa(p.opts.NodeLeaseSeconds),
		"--cidr=10.244.0.0/16",
		// Every fake node's kubelet is kwok's server on 127.0.0.1, so the
		// API server's pods/log requests reach it.
		"--node-ip=127.0.0.1",
		"--node-port="+strconv.Itoa(p.kubeletPort),
		"--server-address=127.0.0.1:"+strconv.Itoa(p.kubeletPort),
		"--tls-cert-file="+p.pki.ServingCert,
		"--tls-private-key-file="+p.pki.ServingKey,
	)
}

func (p *Plane) start(name, bin string, args ...string) error {
	pr, err := startProc(name, filepath.Join(p.Dir, "logs", name+".log"), bin, args...)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.procs[name] = pr
	p.mu.Unlock()
	return nil
}

// Stop ends every process, API server and controllers first and etcd last
// (the API server hangs on TERM once etcd is gone), and removes the state.
func (p *Plane) Stop() error {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return nil
	}
	p.stopped = true
	procs := p.procs
	p.mu.Unlock()
	var errs []error
	var wg sync.WaitGroup
	var emu sync.Mutex
	for _, name := range []string{Kwok, Scheduler, ControllerManager, APIServer} {
		if pr := procs[name]; pr != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := pr.stop(10 * time.Second); err != nil {
					emu.Lock()
					errs = append(errs, err)
					emu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if pr := procs[Etcd]; pr != nil {
		if err := pr.stop(10 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	if os.Getenv("DSX_KEEP_PLANE") == "" {
		os.RemoveAll(p.Dir)
	}
	return errors.Join(errs...)
}

// PIDs lists the process ids of the plane's components, for leak checks.
func (p *Plane) PIDs() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for n, pr := range p.procs {
		out[n] = pr.pid()
	}
	return out
}

// Server is the API server's URL.
func (p *Plane) Server() string { return "https://127.0.0.1:" + strconv.Itoa(p.apiPort) }

// StopAPIServer stops the API server only, as an outage would.
func (p *Plane) StopAPIServer() error {
	p.mu.Lock()
	pr := p.procs[APIServer]
	p.mu.Unlock()
	if pr == nil {
		return nil
	}
	return pr.stop(10 * time.Second)
}

// StartAPIServer starts it again on the same port and waits for /readyz.
func (p *Plane) StartAPIServer(ctx context.Context) error {
	if err := p.startAPIServer(); err != nil {
		return err
	}
	return p.WaitAPIServer(ctx, 60*time.Second)
}

// RestartAPIServer stops and starts the API server on the same port.
func (p *Plane) RestartAPIServer(ctx context.Context) error {
	if err := p.StopAPIServer(); err != nil {
		return err
	}
	return p.StartAPIServer(ctx)
}

// WaitAPIServer waits for /readyz.
func (p *Plane) WaitAPIServer(ctx context.Context, timeout time.Duration) error {
	return p.waitHTTP(ctx, APIServer, p.Server()+"/readyz", timeout, func(b []byte) bool {
		return strings.TrimSpace(string(b)) == "ok"
	})
}

func (p *Plane) waitHTTP(ctx context.Context, name, url string, timeout time.Duration, ok func([]byte) bool) error {
	// Only the plane's own throwaway CA is trusted.
	pool := newCertPool(p.pki.CAPEM)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	err := Wait(ctx, timeout, name+" health", func(ctx context.Context) (bool, error) {
		p.mu.Lock()
		pr := p.procs[name]
		p.mu.Unlock()
		if pr != nil && !pr.running() {
			return false, fmt.Errorf("%s exited: %v", name, pr.waitErr)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+p.adminToken)
		resp, err := client.Do(req)
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == http.StatusOK && ok(b), nil
	})
	return p.withLogs(err, name)
}

func (p *Plane) withLogs(err error, name string) error {
	if err == nil {
		return nil
	}
	p.mu.Lock()
	pr := p.procs[name]
	p.mu.Unlock()
	if pr == nil {
		return err
	}
	return fmt.Errorf("%w\n--- end of %s log ---\n%s", err, name, pr.logTail(3000))
}

func (p *Plane) writeKubeconfig() error {
	p.Kubeconfig = filepath.Join(p.Dir, "kubeconfig")
	return writeKubeconfig(p.Kubeconfig, p.opts.ContextName, p.Server(), p.pki.CAPEM, "admin", p.adminToken, "")
}

func writeKubeconfig(path, context, server string, ca []byte, user, token, namespace string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[context] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[context] = &clientcmdapi.Context{Cluster: context, AuthInfo: user, Namespace: namespace}
	cfg.CurrentContext = context
	return clientcmd.WriteToFile(*cfg, path)
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
