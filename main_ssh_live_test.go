//go:build live

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// sshDaemonSet makes a DaemonSet for the terminal tests, once.
func sshDaemonSet(t *testing.T) {
	t.Helper()
	const ns = "e2e-ssh"
	plane.Namespace(t, ns)
	_, err := plane.Client.AppsV1().DaemonSets(ns).Create(context.Background(), testenv.DaemonSet(ns, "ssh-agent-with-a-long-name-to-truncate", "agent:1"), metav1.CreateOptions{})
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		t.Fatal(err)
	}
}

func (s *tmuxSession) captureEscapes() string {
	out, _ := exec.Command("tmux", "-S", s.sock, "capture-pane", "-p", "-e", "-t", s.name).CombinedOutput()
	return string(out)
}

// dsxPID is the pid of dsx, the pane shell's child.
func (s *tmuxSession) dsxPID() int {
	s.t.Helper()
	shell := strings.TrimSpace(runCmd(s.t, "tmux", "-S", s.sock, "list-panes", "-t", s.name, "-F", "#{pane_pid}"))
	var pid int
	testenv.WaitT(s.t, 10*time.Second, "dsx's pid", func(context.Context) (bool, error) {
		out, err := exec.Command("pgrep", "-P", shell, "-f", dsxBin).Output()
		if err != nil {
			return false, nil
		}
		pid, err = strconv.Atoi(strings.Fields(string(out))[0])
		return err == nil, nil
	})
	return pid
}

// colourSGR matches any SGR sequence that sets a colour.
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

// 80x24 under TERM=screen with NO_COLOR: every view fits, no colour is
// sent, states keep their words; resizing down to 10x5 and back works.
func TestSmallScreenNoColor(t *testing.T) {
	sshDaemonSet(t)
	// The control: the same warning in colour when colour is allowed, so
	// the check below cannot pass by having nothing coloured to show.
	c := startTmux(t, 80, 24, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", "e2e-ssh", "--readonly")
	c.waitFor(time.Minute, "the list", func(x string) bool { return strings.Contains(x, "ssh-agent-") })
	c.keys("e")
	c.waitFor(10*time.Second, "the warning", func(x string) bool { return strings.Contains(x, "is disabled") })
	if !colourSGR.MatchString(c.captureEscapes()) {
		t.Fatal("no colour even without NO_COLOR: the check would prove nothing")
	}

	s := startTmux(t, 80, 24, []string{"TERM=screen", "NO_COLOR=1"}, "--kubeconfig", plane.Kubeconfig, "-n", "e2e-ssh", "--readonly")
	scr := s.waitFor(time.Minute, "the list", func(x string) bool { return strings.Contains(x, "ssh-agent-") && strings.Contains(x, "complete") })
	if !strings.Contains(scr, "…") {
		t.Errorf("the long name is not truncated with an ellipsis:\n%s", scr)
	}
	s.keys("e")
	s.waitFor(10*time.Second, "the warning", func(x string) bool { return strings.Contains(x, "is disabled") })
	if esc := s.captureEscapes(); colourSGR.MatchString(esc) {
		t.Fatalf("colour sent under NO_COLOR: %q", colourSGR.FindString(esc))
	}
	s.keys("Enter")
	s.waitFor(30*time.Second, "node view", func(x string) bool { return strings.Contains(x, "✓ current") && strings.Contains(x, "node-0") })
	s.keys("?")
	s.waitFor(10*time.Second, "help", func(x string) bool { return strings.Contains(x, "Keys") && strings.Contains(x, "more (j)") })
	s.keys("?")
	runCmd(t, "tmux", "-S", s.sock, "resize-window", "-t", s.name, "-x", "10", "-y", "5")
	s.waitFor(10*time.Second, "too small", func(x string) bool { return strings.Contains(x, "too") })
	runCmd(t, "tmux", "-S", s.sock, "resize-window", "-t", s.name, "-x", "80", "-y", "24")
	s.waitFor(10*time.Second, "node view again", func(x string) bool { return strings.Contains(x, "✓ current") })
	if esc := s.captureEscapes(); colourSGR.MatchString(esc) {
		t.Fatalf("colour sent under NO_COLOR: %q", colourSGR.FindString(esc))
	}
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}

// Under a locale that is not UTF-8, or with --ascii, not one byte
// outside ASCII reaches the terminal.
func TestASCIIMode(t *testing.T) {
	sshDaemonSet(t)
	for name, c := range map[string]struct {
		env  []string
		args []string
	}{
		"C locale": {[]string{"TERM=screen", "LANG=C"}, nil},
		"--ascii":  {[]string{"TERM=xterm-256color", "LANG=C.UTF-8"}, []string{"--ascii"}},
	} {
		t.Run(name, func(t *testing.T) {
			s := startTmux(t, 80, 24, c.env, append([]string{"--kubeconfig", plane.Kubeconfig, "-n", "e2e-ssh"}, c.args...)...)
			s.waitFor(time.Minute, "the list", func(x string) bool {
				return strings.Contains(x, "ssh-agent-") && strings.Contains(x, "+ complete")
			})
			for _, k := range []string{"Enter", "?"} {
				s.keys(k)
				scr := s.waitFor(10*time.Second, "view after "+k, func(x string) bool { return strings.Contains(x, "node-0") || strings.Contains(x, "Keys") })
				for _, r := range scr {
					if r > 0x7e && r != '\n' {
						t.Fatalf("non-ASCII %q after %s:\n%s", r, k, scr)
					}
				}
			}
			s.keys("q")
			s.paneExit(10 * time.Second)
		})
	}
}

// When the terminal goes (tmux killed: the pty hangs up), dsx exits and
// leaves no process behind holding informers.
func TestExitsWhenTerminalGoes(t *testing.T) {
	sshDaemonSet(t)
	s := startTmux(t, 80, 24, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-A")
	s.waitFor(time.Minute, "the list", func(x string) bool { return strings.Contains(x, "ssh-agent-") })
	pid := s.dsxPID()
	runCmd(t, "tmux", "-S", s.sock, "kill-server")
	testenv.WaitT(t, 10*time.Second, "dsx to exit after hang-up", func(context.Context) (bool, error) {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		// Gone, or a zombie waiting for a parent that is gone too.
		return err != nil || bytes.Contains(b, []byte(") Z ")), nil
	})
}

// openPTY opens a pseudo-terminal pair of the given size.
func openPTY(t *testing.T, w, h int) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(m.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(h), Col: uint16(w)}); err != nil {
		t.Fatal(err)
	}
	return m, sl
}

// When the terminal's far side closes without a hang-up signal (the pty
// is not dsx's controlling terminal, as with some SSH and multiplexer
// setups), reads fail with EIO or EOF: dsx exits, quietly, instead of
// running on unseen with its informers.
func TestExitsOnTerminalEIO(t *testing.T) {
	sshDaemonSet(t)
	master, slave := openPTY(t, 100, 30)
	cmd := exec.Command(dsxBin, "--kubeconfig", plane.Kubeconfig, "-A")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "LANG=C.UTF-8")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// Read the screen until the list is drawn.
	var seen bytes.Buffer
	buf := make([]byte, 4096)
	testenv.WaitT(t, time.Minute, "the first screen", func(context.Context) (bool, error) {
		_ = master.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _ := master.Read(buf)
		seen.Write(buf[:n])
		return bytes.Contains(seen.Bytes(), []byte("ssh-agent-")), nil
	})
	master.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("dsx exited with %v after its terminal closed", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("dsx still running 15 s after its terminal closed")
	}
}

// procCPU is the process's user+system CPU time in clock ticks.
func procCPU(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

// Idle means idle: with nothing changing in the cluster, dsx uses next
// to no CPU and writes next to nothing to the terminal.
func TestIdleIsIdle(t *testing.T) {
	sshDaemonSet(t)
	s := startTmux(t, 120, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", "e2e-ssh")
	s.waitFor(time.Minute, "settled", func(x string) bool { return strings.Contains(x, "ssh-agent-") && strings.Contains(x, "complete") })
	pid := s.dsxPID()
	out := filepath.Join(t.TempDir(), "pane-output")
	runCmd(t, "tmux", "-S", s.sock, "pipe-pane", "-o", "-t", s.name, "cat >> "+out)
	cpu0 := procCPU(t, pid)
	// A measurement window, not a synchronisation: it spans the 5 s clock
	// tick that refreshes ages once.
	window := 6 * time.Second
	<-time.After(window)
	ticks := procCPU(t, pid) - cpu0
	b, _ := os.ReadFile(out)
	t.Logf("idle for %s: %d CPU ticks (1/100 s), %d bytes to the terminal", window, ticks, len(b))
	if ticks > 30 {
		t.Errorf("idle dsx used %d ticks of CPU in %s (more than 5%% of a core)", ticks, window)
	}
	if len(b) > 4096 {
		t.Errorf("idle dsx wrote %d bytes in %s", len(b), window)
	}
	s.keys("q")
	s.paneExit(10 * time.Second)
}

// Installed as kubectl-dsx, dsx is the kubectl plugin `kubectl dsx`: it
// names itself so in help and works the same.
func TestKubectlPlugin(t *testing.T) {
	sshDaemonSet(t)
	dir := t.TempDir()
	plugin := filepath.Join(dir, "kubectl-dsx")
	if err := os.Symlink(dsxBin, plugin); err != nil {
		t.Fatal(err)
	}
	help, _ := exec.Command(plugin, "--help").CombinedOutput()
	if !strings.Contains(string(help), "kubectl dsx status [NAME]") {
		t.Fatalf("plugin help:\n%s", help)
	}
	out, err := exec.Command(plugin, "status", "--kubeconfig", plane.Kubeconfig, "-n", "e2e-ssh", "ssh-agent-with-a-long-name-to-truncate", "-o", "json", "--wait", "--timeout", "2m").Output()
	if err != nil {
		t.Fatalf("kubectl-dsx status: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"healthy": true`) {
		t.Fatalf("status:\n%s", out)
	}
	v, err := exec.Command(plugin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(v), "dsx ") {
		t.Fatalf("--version: %v %q", err, v)
	}
}

// Completion scripts are valid shell and offer the subcommands, flags
// and the kubeconfig's contexts.
func TestCompletion(t *testing.T) {
	out, err := exec.Command(dsxBin, "completion", "bash").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"status config completion version", "--context", "--readonly", "complete -F _dsx kubectl-dsx"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("bash completion lacks %q", want)
		}
	}
	check := exec.Command("bash", "-n")
	check.Stdin = bytes.NewReader(out)
	if b, err := check.CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, b)
	}
	script := string(out) + "\nCOMP_WORDS=(dsx --context ''); COMP_CWORD=2; _dsx; echo \"${COMPREPLY[@]}\"\n"
	run := exec.Command("bash", "-c", strings.Replace(script, "${COMP_WORDS[0]}", dsxBin, 1))
	run.Env = append(os.Environ(), "KUBECONFIG="+plane.Kubeconfig)
	b, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "dsx-testenv") {
		t.Fatalf("contexts completion: %v %q", err, b)
	}
	if z, err := exec.Command(dsxBin, "completion", "zsh").Output(); err != nil || !strings.HasPrefix(string(z), "#compdef dsx kubectl-dsx") {
		t.Fatalf("zsh completion: %v", err)
	}
}
