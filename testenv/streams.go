package testenv

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// kwok serves exec and port-forward for its pods from Exec and
// PortForward objects (one per pod, watched as custom resources), and
// from the ClusterExec in its config file for every other pod. A test
// says per pod what runs: ServeExec and ServePortForward.

// streamCRDs are kwok's own definitions of the kinds it watches.
var streamCRDs = []string{"kwok.x-k8s.io_execs.yaml", "kwok.x-k8s.io_portforwards.yaml"}

// streamKinds is kwok's --enable-crds: none when the kinds could not be
// installed (kwok would exit, unable to list them).
func (p *Plane) streamKinds() string {
	if p.streamsErr != nil {
		return ""
	}
	return "Exec,PortForward"
}

var (
	crdGVR         = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	execGVR        = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "execs"}
	portForwardGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "portforwards"}
)

// kwokModuleDir is the kwok module the plane's kwok was built from; its
// kustomize/crd holds the definitions.
func kwokModuleDir() (string, error) {
	tools, err := ToolsDir()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/kwok")
	cmd.Dir = tools
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("testenv: locating the kwok module: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// installStreamCRDs registers kwok's Exec and PortForward kinds and
// waits until the API server serves them: kwok lists them at start and
// exits if it cannot.
func (p *Plane) installStreamCRDs(ctx context.Context) error {
	dir, err := kwokModuleDir()
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(p.Config)
	if err != nil {
		return err
	}
	var names []string
	for _, f := range streamCRDs {
		b, err := os.ReadFile(filepath.Join(dir, "kustomize", "crd", "bases", f))
		if err != nil {
			return err
		}
		var obj map[string]any
		if err := yaml.Unmarshal(b, &obj); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		u := &unstructured.Unstructured{Object: obj}
		if _, err := dyn.Resource(crdGVR).Create(ctx, u, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("creating %s: %w", u.GetName(), err)
		}
		names = append(names, u.GetName())
	}
	for _, n := range names {
		err := Wait(ctx, 30*time.Second, "CRD "+n+" established", func(ctx context.Context) (bool, error) {
			u, err := dyn.Resource(crdGVR).Get(ctx, n, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, c := range conds {
				m, _ := c.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ServeExec makes kwok run exec requests for the pod's containers as
// local processes with env and in workDir (both may be empty): a test
// gives each pod values that name it, and so can tell which pod a
// command ran for. kwok sees the object a moment later.
func (p *Plane) ServeExec(ctx context.Context, namespace, pod string, env map[string]string, workDir string) error {
	var envs []any
	for k, v := range env {
		envs = append(envs, map[string]any{"name": k, "value": v})
	}
	local := map[string]any{"envs": envs}
	if workDir != "" {
		local["workDir"] = workDir
	}
	return p.applyStream(ctx, execGVR, "Exec", namespace, pod, map[string]any{
		"execs": []any{map[string]any{"local": local}},
	})
}

// ServePortForward makes kwok connect a forward to the pod's podPort to
// address:port on this machine (a server the test runs).
func (p *Plane) ServePortForward(ctx context.Context, namespace, pod string, podPort int32, address string, port int32) error {
	return p.applyStream(ctx, portForwardGVR, "PortForward", namespace, pod, map[string]any{
		"forwards": []any{map[string]any{
			"ports":  []any{int64(podPort)},
			"target": map[string]any{"address": address, "port": int64(port)},
		}},
	})
}

func (p *Plane) applyStream(ctx context.Context, gvr schema.GroupVersionResource, kind, namespace, name string, spec map[string]any) error {
	if p.streamsErr != nil {
		return fmt.Errorf("testenv: kwok serves no per-pod %s: %w", kind, p.streamsErr)
	}
	dyn, err := dynamic.NewForConfig(p.Config)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       kind,
		"metadata":   map[string]any{"name": name, "namespace": namespace},
		"spec":       spec,
	}}
	r := dyn.Resource(gvr).Namespace(namespace)
	_, err = r.Create(ctx, u, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		old, gerr := r.Get(ctx, name, metav1.GetOptions{})
		if gerr != nil {
			return gerr
		}
		u.SetResourceVersion(old.GetResourceVersion())
		_, err = r.Update(ctx, u, metav1.UpdateOptions{})
	}
	return err
}

// HTTPTarget serves body to every request on a free port of 127.0.0.1
// until the test ends: what a forward to a pod reaches.
func HTTPTarget(t testing.TB, body string) int32 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return int32(l.Addr().(*net.TCPAddr).Port)
}

// GetThrough waits until a GET of http://addr/ succeeds and returns the
// body: a forward's first connection may race the pod's forward config.
func GetThrough(t testing.TB, addr string, timeout time.Duration) string {
	t.Helper()
	var body string
	WaitT(t, timeout, "HTTP through "+addr, func(ctx context.Context) (bool, error) {
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + "/")
		if err != nil {
			return false, nil
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body = string(b)
		return resp.StatusCode == http.StatusOK, nil
	})
	return body
}
