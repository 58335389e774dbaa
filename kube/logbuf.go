package kube

import (
	"io"
	"strings"
	"sync"

	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
)

// LogBuffer keeps the last messages client-go and klog write ("watch
// ended with error" during an API-server restart, deprecation warnings)
// in memory, bounded, while the UI owns the terminal: written to stderr
// they would land in the middle of the screen.
type LogBuffer struct {
	mu    sync.Mutex
	lines []string
	next  int
	total int
	part  strings.Builder
}

// Log buffer bounds: lines kept and the length of one.
const (
	maxLogBufferLines = 500
	maxLogBufferLine  = 1024
)

// Write splits p into lines, made safe to draw and cut to a bounded
// length; only the newest lines are kept.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range string(p) {
		if c == '\n' {
			b.add(b.part.String())
			b.part.Reset()
			continue
		}
		if b.part.Len() < maxLogBufferLine {
			b.part.WriteRune(c)
		}
	}
	return len(p), nil
}

func (b *LogBuffer) add(l string) {
	l = SanitizeLine(strings.TrimRight(l, "\r"))
	b.total++
	if len(b.lines) < maxLogBufferLines {
		b.lines = append(b.lines, l)
		return
	}
	b.lines[b.next] = l
	b.next = (b.next + 1) % maxLogBufferLines
}

// Lines returns the kept lines, oldest first.
func (b *LogBuffer) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append(append([]string(nil), b.lines[b.next:]...), b.lines[:b.next]...)
}

// Count is how many lines were written, kept or not.
func (b *LogBuffer) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}

// CaptureLogs sends klog's output and client-go's API warnings to b
// until restore is called.
func CaptureLogs(b *LogBuffer) (restore func()) {
	klog.LogToStderr(false)
	// klog writes a message to the output of its severity and of every
	// lower one: one output (INFO's) keeps each message once.
	klog.SetOutput(io.Discard)
	klog.SetOutputBySeverity("INFO", b)
	rest.SetDefaultWarningHandler(rest.NewWarningWriter(b, rest.WarningWriterOptions{Deduplicate: true}))
	return func() {
		klog.Flush()
		klog.LogToStderr(true)
		rest.SetDefaultWarningHandler(rest.WarningLogger{})
	}
}
