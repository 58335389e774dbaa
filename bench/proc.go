package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times; it is
// 100 on every Linux this runs on, and Go has no sysconf to ask.
const clockTicks = 100

// RSS is a process's resident set size in bytes (VmRSS).
func RSS(pid int) (int64, error) { return procStatus(pid, "VmRSS:") }

// RSSAnon is the anonymous part of RSS: the heap and stacks, without the
// executable's pages, which are file-backed, shared and evictable (about
// 65 MB of dsx's RSS even with nothing cached).
func RSSAnon(pid int) (int64, error) { return procStatus(pid, "RssAnon:") }

// RSSPeak is a process's peak resident set size so far (VmHWM): taken
// once synced, the initial LIST's high-water mark.
func RSSPeak(pid int) (int64, error) { return procStatus(pid, "VmHWM:") }

func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	v, err := parseStatusField(string(b), field)
	if err != nil {
		return 0, fmt.Errorf("pid %d: %w", pid, err)
	}
	return v, nil
}

// parseStatusField reads a "Field:   123 kB" line of /proc/<pid>/status
// as bytes.
func parseStatusField(status, field string) (int64, error) {
	for _, l := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			f := strings.Fields(v)
			if len(f) < 1 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("malformed %s line %q", field, l)
			}
			if len(f) > 1 && f[1] != "kB" {
				return 0, fmt.Errorf("unexpected unit in %q", l)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s in status", field)
}

// CPUTime is the user plus system CPU a process has used.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	d, err := parseStatCPU(string(b))
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return d, nil
}

// parseStatCPU reads utime plus stime from a /proc/<pid>/stat line.
func parseStatCPU(s string) (time.Duration, error) {
	// The command name in parentheses may hold spaces and parentheses;
	// fields count from after its last closing parenthesis.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("no command name")
	}
	f := strings.Fields(s[i+1:])
	// utime and stime are fields 14 and 15 of stat(5); here 12 and 13.
	if len(f) < 13 {
		return 0, fmt.Errorf("short stat line (%d fields after the name)", len(f))
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil || u < 0 || st < 0 {
		return 0, fmt.Errorf("malformed utime/stime %q %q", f[11], f[12])
	}
	return time.Duration(u+st) * time.Second / clockTicks, nil
}
