//go:build unix

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
)

// debugStats is what each SIGUSR1 writes under DSX_DEBUG_DIR, measured
// right after a forced collection, so HeapAlloc is the live heap and not
// the garbage of the last cycle.
type debugStats struct {
	Seq          int    `json:"seq"`
	Goroutines   int    `json:"goroutines"`
	HeapAlloc    uint64 `json:"heapAlloc"`
	HeapInuse    uint64 `json:"heapInuse"`
	HeapIdle     uint64 `json:"heapIdle"`
	HeapReleased uint64 `json:"heapReleased"`
	StackInuse   uint64 `json:"stackInuse"`
	Sys          uint64 `json:"sys"`
	NumGC        uint32 `json:"numGC"`
	// What the runtime holds outside the heap's spans, for telling apart
	// RSS that grows with the heap from RSS that does not: span
	// structures, GC metadata, the profiler's buckets (one per allocating
	// stack; more of them with DSX_DEBUG_DIR's finer sampling) and the
	// rest of the runtime's own allocations.
	MSpanInuse  uint64 `json:"mspanInuse"`
	GCSys       uint64 `json:"gcSys"`
	BuckHashSys uint64 `json:"buckHashSys"`
	OtherSys    uint64 `json:"otherSys"`
	// RSSAnon is the process's anonymous resident memory (RssAnon, Linux
	// only) read right after debug.FreeOSMemory: the heap's spans in use
	// plus stacks and runtime metadata, without the free pages the
	// scavenger would return at its own pace. Sampled at any other moment
	// RSS also holds up to a GC cycle's garbage and a varying amount of
	// unreturned pages, so two samples are not comparable.
	RSSAnon uint64 `json:"rssAnon,omitempty"`
}

// startDebugDumps is for finding leaks in long runs (the soak): with
// DSX_DEBUG_DIR set, each SIGUSR1 writes a heap profile, a goroutine
// profile and the runtime's counts to new 0600 files there. Nothing
// listens on a port, nothing is written without the variable, and a
// directory that others could write into is refused, so a bastion's
// other users can neither read the profiles nor plant files for dsx to
// follow.
func startDebugDumps(getenv func(string) string) (stop func(), err error) {
	dir := getenv("DSX_DEBUG_DIR")
	if dir == "" {
		return func() {}, nil
	}
	if err := checkDebugDir(dir); err != nil {
		return nil, err
	}
	// One sample per 64 KiB allocated instead of 512 KiB: a heap of a few
	// MiB then shows where a growth of a few hundred KiB comes from. Only
	// a debugging run pays, in CPU and in the profiler's own records
	// (outside the heap, one per allocating stack).
	runtime.MemProfileRate = 64 << 10
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	done := make(chan struct{})
	go func() {
		for seq := 1; ; seq++ {
			select {
			case <-ch:
				// Errors cannot reach the terminal under the UI; the
				// missing stats file is how the reader learns of them.
				_ = writeDebugDump(dir, seq)
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }, nil
}

func checkDebugDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("DSX_DEBUG_DIR: %v", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("DSX_DEBUG_DIR=%s: not a directory", dir)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("DSX_DEBUG_DIR=%s: writable by others (mode %v); use a private directory", dir, fi.Mode().Perm())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("DSX_DEBUG_DIR=%s: owned by another user", dir)
	}
	return nil
}

// writeDebugDump writes heap-N.pb.gz, goroutine-N.txt and, last, stats-N.json,
// so a reader that sees the stats file finds the profiles complete.
func writeDebugDump(dir string, seq int) error {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st := debugStats{Seq: seq, Goroutines: runtime.NumGoroutine(), HeapAlloc: ms.HeapAlloc,
		HeapInuse: ms.HeapInuse, HeapIdle: ms.HeapIdle, HeapReleased: ms.HeapReleased,
		StackInuse: ms.StackInuse, Sys: ms.Sys, NumGC: ms.NumGC,
		MSpanInuse: ms.MSpanInuse, GCSys: ms.GCSys, BuckHashSys: ms.BuckHashSys, OtherSys: ms.OtherSys}
	if err := writePrivate(filepath.Join(dir, fmt.Sprintf("heap-%d.pb.gz", seq)), func(f *os.File) error {
		return pprof.Lookup("heap").WriteTo(f, 0)
	}); err != nil {
		return err
	}
	if err := writePrivate(filepath.Join(dir, fmt.Sprintf("goroutine-%d.txt", seq)), func(f *os.File) error {
		return pprof.Lookup("goroutine").WriteTo(f, 1)
	}); err != nil {
		return err
	}
	st.RSSAnon = scavengedRSSAnon()
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".stats-%d.json", seq))
	if err := writePrivate(tmp, func(f *os.File) error { _, err := f.Write(b); return err }); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("stats-%d.json", seq)))
}

// scavengedRSSAnon returns free memory to the OS and then reads RssAnon, so
// what it measures is what the process holds, not what the runtime has
// yet to hand back. It runs after the profiles were written: their
// buffers are garbage by then and are returned too.
func scavengedRSSAnon() uint64 {
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	v, _ := statusKB(string(b), "RssAnon:")
	return v
}

// statusKB reads a "Field:   123 kB" line of /proc/<pid>/status as bytes.
func statusKB(status, field string) (uint64, bool) {
	for _, l := range strings.Split(status, "\n") {
		if v, ok := strings.CutPrefix(l, field); ok {
			f := strings.Fields(v)
			if len(f) != 2 || f[1] != "kB" {
				return 0, false
			}
			kb, err := strconv.ParseUint(f[0], 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// writePrivate creates a new 0600 file; O_EXCL|O_NOFOLLOW refuse one that
// is already there or a link to elsewhere.
func writePrivate(path string, write func(*os.File) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(err, os.Remove(path))
	}
	return nil
}
