// Command kubectl is kubectl built from k8s.io/kubectl, which dsx already
// requires: the benchmarks time `kubectl get` as the baseline a user has
// today, and the machines that run them have no kubectl of their own.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
	os.Exit(0)
}
