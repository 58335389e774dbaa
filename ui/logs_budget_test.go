package ui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// The log view holds at most maxLogBytes and maxLogLines, whichever binds
// first: 40 one-MiB lines keep the newest 32 MiB, 200,000 short lines
// the newest 5,000.
func TestLogViewBudget(t *testing.T) {
	var lv logView
	big := strings.Repeat("z", 1<<20)
	for i := range 40 {
		lv.add([]string{big[:len(big)-1] + string(rune('a'+i%26))})
	}
	if lv.bytes > maxLogBytes || len(lv.text.lines) != maxLogBytes/(1<<20) {
		t.Fatalf("%d lines, %d bytes; want at most %d bytes", len(lv.text.lines), lv.bytes, maxLogBytes)
	}
	if last := lv.text.lines[len(lv.text.lines)-1]; last[len(last)-1] != 'n' {
		t.Fatalf("the newest line was dropped")
	}
	var small logView
	batch := make([]string, 500)
	for i := range batch {
		batch[i] = strings.Repeat("y", 200)
	}
	for range 400 {
		small.add(batch)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if len(small.text.lines) != maxLogLines || small.bytes != maxLogLines*200 {
		t.Fatalf("%d lines, %d bytes after 200,000", len(small.text.lines), small.bytes)
	}
	t.Logf("after 40 MiB-lines and 200,000 lines: heap in use %d MiB", ms.HeapInuse>>20)
}

// client-go's messages are counted in the status bar and read with :log,
// never written under the UI.
func TestClientLogView(t *testing.T) {
	var buf kube.LogBuffer
	fmt.Fprintln(&buf, "W1129 reflector.go:1] watch of *v1.Pod ended with: very short watch")
	fmt.Fprintln(&buf, "W1129 warnings.go:1] apps/v1 DaemonSet field is deprecated")
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Log: &buf})
	tm, scr := startModel(t, m, 120, 30)
	scr.waitFor(t, 5*time.Second, "the count", func(s string) bool { return strings.Contains(s, "2 client messages (:log)") })
	typeKeys(tm, ":", "l", "o", "g", "enter")
	scr.waitFor(t, 5*time.Second, "the messages", func(s string) bool {
		return strings.Contains(s, "ended with: very short watch") && strings.Contains(s, "field is deprecated")
	})
}
