package testenv

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Binaries are the paths of the control-plane programs.
type Binaries struct {
	Etcd, APIServer, ControllerManager, Scheduler, Kwok string
}

// KubeVersion is the Kubernetes release the plane is built from; it must match
// testenv/tools/go.mod.
const KubeVersion = "v1.37.2"

// The package paths built from testenv/tools, and the file name each gets.
var buildTargets = []struct{ pkg, name string }{
	{"go.etcd.io/etcd/server/v3", "etcd"},
	{"k8s.io/kubernetes/cmd/kube-apiserver", "kube-apiserver"},
	{"k8s.io/kubernetes/cmd/kube-controller-manager", "kube-controller-manager"},
	{"k8s.io/kubernetes/cmd/kube-scheduler", "kube-scheduler"},
	{"sigs.k8s.io/kwok/cmd/kwok", "kwok"},
}

// ToolsDir finds testenv/tools: $DSX_TESTENV_TOOLS, else next to this source
// file (tests, go run and the demo all run from a checkout).
func ToolsDir() (string, error) {
	if d := os.Getenv("DSX_TESTENV_TOOLS"); d != "" {
		return d, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("testenv: cannot locate testenv/tools; set DSX_TESTENV_TOOLS")
	}
	d := filepath.Join(filepath.Dir(file), "tools")
	if _, err := os.Stat(filepath.Join(d, "go.mod")); err != nil {
		return "", fmt.Errorf("testenv: %s/go.mod not found; run from a dsx checkout or set DSX_TESTENV_TOOLS", d)
	}
	return d, nil
}

// CacheKey is the hash of the tools module's go.mod and go.sum (and the Go
// version and platform), which fully determine the binaries.
func CacheKey(toolsDir string) (string, error) {
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(toolsDir, f))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	fmt.Fprintf(h, "%s/%s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// EnsureBinaries returns the cached control-plane binaries, building them first
// when the cache lacks them. Progress goes to progress (a cold build takes
// minutes and must never look like a hang). Concurrent callers, such as test
// binaries of several packages, wait on a file lock for one build.
func EnsureBinaries(progress io.Writer) (Binaries, error) {
	if progress == nil {
		progress = io.Discard
	}
	tools, err := ToolsDir()
	if err != nil {
		return Binaries{}, err
	}
	key, err := CacheKey(tools)
	if err != nil {
		return Binaries{}, err
	}
	root := os.Getenv("DSX_PLANE_CACHE")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return Binaries{}, err
		}
		root = filepath.Join(c, "dsx", "plane")
	}
	dir := filepath.Join(root, key)
	bins := Binaries{
		Etcd:              filepath.Join(dir, "etcd"),
		APIServer:         filepath.Join(dir, "kube-apiserver"),
		ControllerManager: filepath.Join(dir, "kube-controller-manager"),
		Scheduler:         filepath.Join(dir, "kube-scheduler"),
		Kwok:              filepath.Join(dir, "kwok"),
	}
	if complete(dir) {
		return bins, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return Binaries{}, err
	}
	lock, err := os.OpenFile(filepath.Join(root, key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return Binaries{}, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fmt.Fprintln(progress, "testenv: another process is building the control plane; waiting for it")
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			return Binaries{}, err
		}
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if complete(dir) {
		return bins, nil
	}
	tmp, err := os.MkdirTemp(root, key+".building-")
	if err != nil {
		return Binaries{}, err
	}
	defer os.RemoveAll(tmp)
	if err := build(tools, tmp, progress); err != nil {
		return Binaries{}, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "complete"), []byte(KubeVersion+"\n"), 0o644); err != nil {
		return Binaries{}, err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return Binaries{}, err
	}
	return bins, nil
}

func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "complete"))
	return err == nil
}

func build(tools, out string, progress io.Writer) error {
	minor := strings.Split(strings.TrimPrefix(KubeVersion, "v"), ".")[1]
	ldflags := strings.Join([]string{
		"-s", "-w",
		"-X", "k8s.io/component-base/version.gitVersion=" + KubeVersion,
		"-X", "k8s.io/component-base/version.gitMajor=1",
		"-X", "k8s.io/component-base/version.gitMinor=" + minor,
		"-X", "k8s.io/component-base/version.gitTreeState=clean",
	}, " ")
	args := []string{"build", "-v", "-ldflags", ldflags, "-o", out}
	for _, t := range buildTargets {
		args = append(args, t.pkg)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = tools
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(progress, "testenv: building the control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok %s) into the cache; a cold build takes about 5-10 minutes on 2 cores, later starts take seconds\n", KubeVersion)
	if err := cmd.Start(); err != nil {
		return err
	}
	// go build -v names each package as it compiles: count them so the user
	// sees the build move.
	var tail []string
	n := 0
	last := time.Now()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		line := sc.Text()
		n++
		tail = append(tail, line)
		if len(tail) > 30 {
			tail = tail[1:]
		}
		if time.Since(last) >= 10*time.Second {
			last = time.Now()
			fmt.Fprintf(progress, "testenv: build %s: %d packages compiled (latest %s)\n", time.Since(start).Round(time.Second), n, line)
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("testenv: building the control plane failed: %v\n%s", err, strings.Join(tail, "\n"))
	}
	// A module path ending in /v3 names its binary after the element before.
	if err := os.Rename(filepath.Join(out, "server"), filepath.Join(out, "etcd")); err != nil {
		return err
	}
	for _, t := range buildTargets {
		if _, err := os.Stat(filepath.Join(out, t.name)); err != nil {
			return fmt.Errorf("testenv: build produced no %s: %v", t.name, err)
		}
	}
	fmt.Fprintf(progress, "testenv: control plane built in %s (%d packages)\n", time.Since(start).Round(time.Second), n)
	return nil
}
