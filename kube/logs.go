package kube

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// MaxLogLine is the longest log line kept whole; the rest of a longer
// line is dropped and a marker says how much.
const MaxLogLine = 1 << 20

// ReadLogLines reads a log stream line by line and hands each line to
// emit, made safe to draw, until the stream ends or emit returns false.
// A line longer than maxLine is cut there with a marker instead of ending
// the stream; its rest is skipped without being held in memory.
func ReadLogLines(r io.Reader, maxLine int, emit func(string) bool) error {
	br := bufio.NewReaderSize(r, 64*1024)
	var line []byte
	dropped := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if room := maxLine - len(line); room > 0 {
			take := chunk
			if len(take) > room {
				take = take[:room]
			}
			line = append(line, take...)
			dropped += len(chunk) - len(take)
		} else {
			dropped += len(chunk)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(line) > 0 || dropped > 0 || err == nil {
			text := bytes.TrimRight(line, "\r\n")
			s := Sanitize(string(text))
			if dropped > 0 {
				s += fmt.Sprintf(" … [line cut: %d more bytes]", dropped-trailingNewline(chunk, err))
			}
			if !emit(s) {
				return nil
			}
		}
		line, dropped = line[:0], 0
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// trailingNewline is the newline that ended a cut line: not part of what
// was dropped.
func trailingNewline(chunk []byte, err error) int {
	if err == nil && len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
		return 1
	}
	return 0
}
