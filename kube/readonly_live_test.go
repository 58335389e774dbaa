//go:build live

package kube

import (
	"context"
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/dsx-tui/dsx/testenv"
)

// --readonly: reads and access reviews go through, writes never leave.
func TestReadOnlyClient(t *testing.T) {
	ctx := context.Background()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &plane.Kubeconfig
	target, err := ResolveWith(flags, true, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := target.Client.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list under --readonly: %v", err)
	}
	if a := CheckAccess(ctx, target.Client, ""); !a.DaemonSets {
		t.Fatalf("access review under --readonly: %v", a)
	}
	_, err = target.Client.AppsV1().DaemonSets("default").Create(ctx, testenv.DaemonSet("default", "must-not-exist", "x:1"), metav1.CreateOptions{})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("create under --readonly: %v, want ErrReadOnly", err)
	}
	if err := target.Client.CoreV1().Nodes().Delete(ctx, "node-0", metav1.DeleteOptions{}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("delete under --readonly: %v, want ErrReadOnly", err)
	}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Get(ctx, "must-not-exist", metav1.GetOptions{}); err == nil {
		t.Fatal("the create reached the server")
	}
}
