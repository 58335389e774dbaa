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
	"slices"
	"strings"
	"syscall"
	"time"
)

// Binaries are the paths of the control-plane programs.
type Binaries struct {
	Etcd, APIServer, ControllerManager, Scheduler, Kwok string
}

// KubeVersion is the Kubernetes release the default plane is built from;
// it must match testenv/tools/go.mod.
const KubeVersion = "v1.37.2"

// A buildTarget is one package built from a tools module, and its file name.
type buildTarget struct{ pkg, name string }

var (
	etcdTarget   = buildTarget{"go.etcd.io/etcd/server/v3", "etcd"}
	kwokTarget   = buildTarget{"sigs.k8s.io/kwok/cmd/kwok", "kwok"}
	kubeTargets  = []buildTarget{{"k8s.io/kubernetes/cmd/kube-apiserver", "kube-apiserver"}, {"k8s.io/kubernetes/cmd/kube-controller-manager", "kube-controller-manager"}, {"k8s.io/kubernetes/cmd/kube-scheduler", "kube-scheduler"}}
	buildTargets = append(append([]buildTarget{etcdTarget}, kubeTargets...), kwokTarget)
)

// planeVersion is one Kubernetes release testenv can run: the tools module
// it is built from and what that module builds.
type planeVersion struct {
	// kube is the release, as its binaries report it.
	kube string
	// dir is the tools module, next to this file.
	dir     string
	targets []buildTarget
}

// planeVersions are the releases testenv runs, by Options.Version. The
// older one builds only the Kubernetes components: etcd and kwok come from
// the default module (etcd's API is the same to both API servers), which
// keeps its cold build to the three Kubernetes binaries.
var planeVersions = map[string]planeVersion{
	"1.37": {kube: KubeVersion, dir: "tools", targets: buildTargets},
	"1.34": {kube: "v1.34.4", dir: "tools134", targets: kubeTargets},
}

// DefaultVersion is the plane tests get unless they ask for another.
const DefaultVersion = "1.37"

// Versions lists every plane version, newest first.
func Versions() []string { return []string{"1.37", "1.34"} }

func lookupVersion(v string) (planeVersion, error) {
	if v == "" {
		v = DefaultVersion
	}
	pv, ok := planeVersions[v]
	if !ok {
		return planeVersion{}, fmt.Errorf("testenv: no control plane version %q (have %v)", v, Versions())
	}
	return pv, nil
}

// ToolsDir finds testenv/tools: $DSX_TESTENV_TOOLS, else next to this source
// file (tests, go run and the demo all run from a checkout).
func ToolsDir() (string, error) {
	if d := os.Getenv("DSX_TESTENV_TOOLS"); d != "" {
		return d, nil
	}
	return toolsDir("tools")
}

func toolsDir(name string) (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("testenv: cannot locate testenv/" + name + "; set DSX_TESTENV_TOOLS")
	}
	d := filepath.Join(filepath.Dir(file), name)
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

// EnsureBinaries returns the cached binaries of the default plane, building
// them first when the cache lacks them; see EnsureBinariesFor.
func EnsureBinaries(progress io.Writer) (Binaries, error) {
	return EnsureBinariesFor(DefaultVersion, progress)
}

// EnsureBinariesFor returns the cached control-plane binaries of a version
// ("" for the default), building them first when the cache lacks them.
// Progress goes to progress (a cold build takes minutes and must never
// look like a hang). Concurrent callers, such as test binaries of several
// packages, wait on a file lock for one build.
func EnsureBinariesFor(version string, progress io.Writer) (Binaries, error) {
	if progress == nil {
		progress = io.Discard
	}
	pv, err := lookupVersion(version)
	if err != nil {
		return Binaries{}, err
	}
	var bins Binaries
	if pv.dir != "tools" {
		// etcd and kwok are the default module's.
		if bins, err = EnsureBinaries(progress); err != nil {
			return Binaries{}, err
		}
	}
	tools, err := ToolsDir()
	if pv.dir != "tools" {
		tools, err = toolsDir(pv.dir)
	}
	if err != nil {
		return Binaries{}, err
	}
	dir, err := ensureBuilt(pv, tools, progress)
	if err != nil {
		return Binaries{}, err
	}
	for _, t := range pv.targets {
		path := filepath.Join(dir, t.name)
		switch t.name {
		case "etcd":
			bins.Etcd = path
		case "kwok":
			bins.Kwok = path
		case "kube-apiserver":
			bins.APIServer = path
		case "kube-controller-manager":
			bins.ControllerManager = path
		case "kube-scheduler":
			bins.Scheduler = path
		}
	}
	return bins, nil
}

// ensureBuilt returns the cache directory holding pv's binaries, built
// from tools when missing.
func ensureBuilt(pv planeVersion, tools string, progress io.Writer) (string, error) {
	key, err := CacheKey(tools)
	if err != nil {
		return "", err
	}
	root := os.Getenv("DSX_PLANE_CACHE")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		root = filepath.Join(c, "dsx", "plane")
	}
	dir := filepath.Join(root, key)
	if complete(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(root, key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fmt.Fprintf(progress, "testenv: another process is building the %s control plane; waiting for it\n", pv.kube)
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			return "", err
		}
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if complete(dir) {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(root, key+".building-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := build(pv, tools, tmp, progress); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, "complete"), []byte(pv.kube+"\n"), 0o644); err != nil {
		return "", err
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}

func complete(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "complete"))
	return err == nil
}

func build(pv planeVersion, tools, out string, progress io.Writer) error {
	minor := strings.Split(strings.TrimPrefix(pv.kube, "v"), ".")[1]
	ldflags := strings.Join([]string{
		"-s", "-w",
		"-X", "k8s.io/component-base/version.gitVersion=" + pv.kube,
		"-X", "k8s.io/component-base/version.gitMajor=1",
		"-X", "k8s.io/component-base/version.gitMinor=" + minor,
		"-X", "k8s.io/component-base/version.gitTreeState=clean",
	}, " ")
	args := []string{"build", "-v", "-ldflags", ldflags, "-o", out}
	var names []string
	for _, t := range pv.targets {
		args = append(args, t.pkg)
		names = append(names, t.name)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = tools
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	fmt.Fprintf(progress, "testenv: building the %s control plane (%s) into the cache; a cold build takes about 5-10 minutes on 2 cores, later starts take seconds\n", pv.kube, strings.Join(names, ", "))
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
	if slices.Contains(pv.targets, etcdTarget) {
		if err := os.Rename(filepath.Join(out, "server"), filepath.Join(out, "etcd")); err != nil {
			return err
		}
	}
	for _, t := range pv.targets {
		if _, err := os.Stat(filepath.Join(out, t.name)); err != nil {
			return fmt.Errorf("testenv: build produced no %s: %v", t.name, err)
		}
	}
	fmt.Fprintf(progress, "testenv: %s control plane built in %s (%d packages)\n", pv.kube, time.Since(start).Round(time.Second), n)
	return nil
}
