package bench

import (
	"testing"
	"time"
)

func TestParseStatusField(t *testing.T) {
	status := "Name:\tdsx\nVmPeak:\t  812344 kB\nVmRSS:\t  123456 kB\nRssAnon:\t   54321 kB\nRssFile:\t   69135 kB\nThreads:\t12\n"
	for _, c := range []struct {
		name, status, field string
		want                int64
		err                 bool
	}{
		{"VmRSS", status, "VmRSS:", 123456 << 10, false},
		{"RssAnon", status, "RssAnon:", 54321 << 10, false},
		// A prefix of another field's name must not match it.
		{"prefix", status, "Rss:", 0, true},
		{"missing", status, "VmSwap:", 0, true},
		{"empty value", "VmRSS:\n", "VmRSS:", 0, true},
		{"not a number", "VmRSS:\tlots kB\n", "VmRSS:", 0, true},
		{"other unit", "VmRSS:\t12 MB\n", "VmRSS:", 0, true},
		{"no unit", "Threads:\t12\n", "Threads:", 12 << 10, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseStatusField(c.status, c.field)
			if (err != nil) != c.err {
				t.Fatalf("err = %v, want error %v", err, c.err)
			}
			if got != c.want {
				t.Errorf("got %d, want %d", got, c.want)
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	// Fields after the name: state ppid pgrp session tty tpgid flags
	// minflt cminflt majflt cmajflt utime stime ...
	tail := " S 1 2 3 0 -1 4194304 97 0 0 0 250 130 0 0 20 0 1 0 1042586"
	for _, c := range []struct {
		name, stat string
		want       time.Duration
		err        bool
	}{
		{"plain", "42 (dsx)" + tail, 3800 * time.Millisecond, false},
		// The name may hold spaces and parentheses; only the last ')'
		// ends it.
		{"odd name", "42 (a) b (c))" + tail, 3800 * time.Millisecond, false},
		{"no name", "42 dsx" + tail, 0, true},
		{"short", "42 (dsx) S 1 2 3", 0, true},
		{"not a number", "42 (dsx) S 1 2 3 0 -1 4194304 97 0 0 0 x 130", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseStatCPU(c.stat)
			if (err != nil) != c.err {
				t.Fatalf("err = %v, want error %v", err, c.err)
			}
			if got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}
