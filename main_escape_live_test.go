//go:build live

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/dsx-tui/dsx/testenv"
)

// payload carries every class of terminal control a pod's log or status
// could: title (OSC 0/2), clipboard (OSC 52), hyperlink (OSC 8), DCS
// (XTGETTCAP, sixel), APC (kitty graphics), SOS, PM, 8-bit C1 (UTF-8
// U+009B), a bidi override, a zero-width space, an unterminated conceal.
const payload = "PAYLOAD\x1b]2;pwned-title\x07\x1b]0;pwned0\x07\x1b]52;c;cHduZWQtY2xpcA==\x07" +
	"\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x1bP+q544e\x1b\\\x1bPq#0;2;0;0;0#1!6~\x1b\\" +
	"\x1b_Gf=100;AAAA\x1b\\\x1bXsos\x1b\\\x1b^pm\x1b\\\u009b31mC1\u202eRTL\u200bZW\x1b[8mCONCEALED"

func (s *tmuxSession) paneTitle() string {
	out, _ := exec.Command("tmux", "-S", s.sock, "display-message", "-p", "-t", s.name, "#{pane_title}").CombinedOutput()
	return strings.TrimSpace(string(out))
}

// buffers lists tmux's paste buffers: an OSC 52 that reached tmux (with
// set-clipboard on) would be one.
func (s *tmuxSession) buffers() string {
	out, _ := exec.Command("tmux", "-S", s.sock, "list-buffers").CombinedOutput()
	return strings.TrimSpace(string(out))
}

func (s *tmuxSession) untouched(t *testing.T, where string) {
	t.Helper()
	if title := s.paneTitle(); strings.Contains(title, "pwned") {
		t.Fatalf("%s: the pane title was set by cluster text: %q", where, title)
	}
	if b := s.buffers(); b != "" {
		t.Fatalf("%s: a paste buffer was written by cluster text: %s", where, b)
	}
}

// A pod whose status message and log carry every payload class: the
// node view, the log view and `dsx status -o table` show the text
// escaped, and neither the pane title nor the clipboard changes.
func TestClusterTextNeverDrivesTheTerminal(t *testing.T) {
	const ns = "e2e-esc"
	plane.Namespace(t, ns)
	ctx := context.Background()
	c := plane.Client
	ds := testenv.DaemonSet(ns, "payload", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": "node-3"}
	if _, err := c.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	testenv.WaitT(t, time.Minute, "the pod running", func(ctx context.Context) (bool, error) {
		l, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=payload"})
		if err != nil || len(l.Items) != 1 || l.Items[0].Status.Phase != corev1.PodRunning {
			return false, err
		}
		pod = l.Items[0]
		return true, nil
	})
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p, err := c.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for i := range p.Status.Conditions {
			if p.Status.Conditions[i].Type == corev1.PodReady {
				p.Status.Conditions[i].Status = corev1.ConditionFalse
				p.Status.Conditions[i].Message = payload
			}
		}
		_, err = c.CoreV1().Pods(ns).UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// kwok serves every container's log from one file: add the payload.
	logFile := filepath.Join(plane.Dir, "container.log")
	orig, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.WriteFile(logFile, orig, 0o600) })
	line := "2026-11-28T10:00:04.000000000Z stdout F " + payload + "\n2026-11-28T10:00:05.000000000Z stdout F VISIBLE-AFTER-CONCEAL\n"
	if err := os.WriteFile(logFile, append(append([]byte{}, orig...), line...), 0o600); err != nil {
		t.Fatal(err)
	}

	s := startTmux(t, 320, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	runCmd(t, "tmux", "-S", s.sock, "set-option", "-g", "set-clipboard", "on")
	runCmd(t, "tmux", "-S", s.sock, "set-option", "-g", "allow-rename", "on")
	s.waitFor(time.Minute, "payload listed", func(x string) bool { return strings.Contains(x, "payload") && strings.Contains(x, "connected") })
	s.keys("Enter")
	scr := s.waitFor(time.Minute, "the node view with the escaped reason", func(x string) bool {
		return strings.Contains(x, "not ready: PAYLOAD^[]2;pwned-title^G^[]0;pwned0^G^[]52;c;")
	})
	s.untouched(t, "node view")
	if strings.ContainsRune(scr, 0x1b) {
		t.Fatalf("an escape reached the screen text:\n%q", scr)
	}
	// The info view quotes the same condition message, and events.
	s.keys("i")
	scr = s.waitFor(time.Minute, "the info view with the escaped message", func(x string) bool {
		return strings.Contains(x, "Ready=False: PAYLOAD^[]2;pwned-title^G")
	})
	s.untouched(t, "info view")
	if strings.ContainsRune(scr, 0x1b) {
		t.Fatalf("an escape reached the info view's text:\n%q", scr)
	}
	s.keys("Escape")
	s.waitFor(time.Minute, "back in the node view", func(x string) bool {
		return !strings.Contains(x, "Info Pod") && strings.Contains(x, "not ready: PAYLOAD^[]2;")
	})
	s.keys("l")
	scr = s.waitFor(time.Minute, "the log view with the escaped line", func(x string) bool {
		return strings.Contains(x, "PAYLOAD^[]2;pwned-title^G") && strings.Contains(x, "VISIBLE-AFTER-CONCEAL")
	})
	for _, want := range []string{"^[]52;c;cHduZWQtY2xpcA==^G", "^[]8;;https://evil.example^[\\link", "^[P+q544e^[\\", "^[_Gf=100;AAAA^[\\", "^[Xsos^[\\^[^pm^[\\", `\x9b31mC1\u202eRTL\u200bZW^[[8mCONCEALED`} {
		if !strings.Contains(scr, want) {
			t.Errorf("the log view does not show %q:\n%s", want, scr)
		}
	}
	s.untouched(t, "log view")
	s.keys("q")
	s.paneExit(10 * time.Second)

	// dsx status -o table, in a terminal and as bytes.
	st := startTmux(t, 400, 20, []string{"TERM=xterm-256color"}, "status", "payload", "--kubeconfig", plane.Kubeconfig, "-n", ns)
	runCmd(t, "tmux", "-S", st.sock, "set-option", "-g", "set-clipboard", "on")
	st.paneExit(time.Minute)
	if scr := st.capture(); !strings.Contains(scr, "PAYLOAD^[]2;pwned-title^G") {
		t.Fatalf("dsx status does not show the escaped reason:\n%s", scr)
	}
	st.untouched(t, "dsx status")
	out, _ := exec.Command(dsxBin, "status", "payload", "--kubeconfig", plane.Kubeconfig, "-n", ns).CombinedOutput()
	if strings.ContainsAny(string(out), "\x1b\x07\u009b\u202e") || !strings.Contains(string(out), "PAYLOAD^[") {
		t.Fatalf("dsx status wrote controls:\n%q", out)
	}
	js, _ := exec.Command(dsxBin, "status", "payload", "-o", "json", "--kubeconfig", plane.Kubeconfig, "-n", ns).CombinedOutput()
	if strings.ContainsRune(string(js), 0x1b) || !strings.Contains(string(js), `PAYLOAD^[]2;pwned-title^G`) {
		t.Fatalf("dsx status -o json:\n%q", js)
	}
}
