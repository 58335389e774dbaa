package main

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
)

// hangupInput is the terminal's input, watched for its end: Bubble Tea
// stops reading quietly at end of file and would keep dsx running, with
// its informers, for a terminal nobody sees (a dropped SSH channel). It
// stays an *os.File underneath, so raw mode and cancelable reads work.
type hangupInput struct {
	*os.File
	once sync.Once
	gone chan struct{}
}

func newHangupInput(f *os.File) *hangupInput {
	return &hangupInput{File: f, gone: make(chan struct{})}
}

func (h *hangupInput) Read(p []byte) (int, error) {
	n, err := h.File.Read(p)
	if n == 0 && (errors.Is(err, io.EOF) || errors.Is(err, syscall.EIO)) {
		h.once.Do(func() { close(h.gone) })
	}
	return n, err
}

// terminalGone reports an error that only means the terminal went away.
func terminalGone(err error) bool {
	return errors.Is(err, syscall.EIO) || errors.Is(err, io.EOF)
}
