//go:build !unix

package main

import "errors"

func startDebugDumps(getenv func(string) string) (func(), error) {
	if getenv("DSX_DEBUG_DIR") != "" {
		return nil, errors.New("DSX_DEBUG_DIR: supported on Unix only")
	}
	return func() {}, nil
}
