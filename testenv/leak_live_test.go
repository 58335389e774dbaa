//go:build live

package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	leakHelperEnv  = "DSX_TESTENV_LEAK_HELPER"
	leakPIDFileEnv = "DSX_TESTENV_LEAK_PIDFILE"
)

type leakReport struct {
	PIDs map[string]int
	Dir  string
}

// leakHelper runs in a child test binary: it starts a plane through
// RunTests, records its PIDs, then dies the way it is told to.
func leakHelper() {
	mode := os.Getenv(leakHelperEnv)
	code := RunTests(nil, func(ctx context.Context, p *Plane) error {
		b, _ := json.Marshal(leakReport{PIDs: p.PIDs(), Dir: p.Dir})
		if err := os.WriteFile(os.Getenv(leakPIDFileEnv), b, 0o600); err != nil {
			return err
		}
		if mode == "sigint" {
			// Wait for the parent's SIGINT; RunTests's handler exits.
			select {}
		}
		// The parent checks the plane is up, then says go.
		if err := Wait(ctx, time.Minute, "the parent's go", func(context.Context) (bool, error) {
			_, err := os.Stat(os.Getenv(leakPIDFileEnv) + ".go")
			return err == nil, nil
		}); err != nil {
			return err
		}
		switch mode {
		case "panic":
			panic("deliberate panic with a running plane")
		case "kill":
			// No deferred cleanup runs: only Pdeathsig can end the children.
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		return fmt.Errorf("unknown mode %q", mode)
	})
	os.Exit(code)
}

// alive reports whether pid is a live process (a zombie counts as dead: it
// holds no resources and only waits for its reaper).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// No process outlives the test binary that started it, however it ends.
func TestNothingLeftBehind(t *testing.T) {
	for _, mode := range []string{"panic", "kill", "sigint"} {
		t.Run(mode, func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pids.json")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), leakHelperEnv+"="+mode, leakPIDFileEnv+"="+pidFile)
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var rep leakReport
			WaitT(t, 2*time.Minute, "the helper's plane", func(context.Context) (bool, error) {
				b, err := os.ReadFile(pidFile)
				if err != nil || len(b) == 0 {
					return false, nil
				}
				return json.Unmarshal(b, &rep) == nil, nil
			})
			pids := rep.PIDs
			// A killed helper cannot remove its state directory.
			t.Cleanup(func() { os.RemoveAll(rep.Dir) })
			if len(pids) != 5 {
				t.Fatalf("helper reported %d processes, want 5: %v", len(pids), pids)
			}
			for name, pid := range pids {
				if !alive(pid) {
					t.Fatalf("%s (pid %d) not running while the helper lives", name, pid)
				}
			}
			if mode == "sigint" {
				if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(pidFile+".go", nil, 0o600); err != nil {
				t.Fatal(err)
			}
			select {
			case <-exited:
			case <-time.After(time.Minute):
				cmd.Process.Kill()
				t.Fatalf("helper did not exit; output:\n%s", out.String())
			}
			WaitT(t, 30*time.Second, "every plane process gone", func(context.Context) (bool, error) {
				for _, pid := range pids {
					if alive(pid) {
						return false, nil
					}
				}
				return true, nil
			})
		})
	}
}
