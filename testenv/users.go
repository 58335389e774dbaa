package testenv

import (
	"context"
	"fmt"
	"path/filepath"

	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// User is a restricted identity on the plane.
type User struct {
	Name       string
	Token      string
	Kubeconfig string
	Config     *rest.Config
}

// CreateUser makes an identity with exactly the given rights: a
// ServiceAccount in kube-system bound to a ClusterRole (namespace "") or to a
// Role in namespace, with a bearer token from the TokenRequest API. Its
// kubeconfig is written to the plane's directory.
func (p *Plane) CreateUser(ctx context.Context, name, namespace string, rules []rbacv1.PolicyRule) (*User, error) {
	c := p.Client
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system"}}
	if _, err := c.CoreV1().ServiceAccounts("kube-system").Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	subject := []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: "kube-system"}}
	roleName := "dsx-test-" + name
	if namespace == "" {
		if _, err := c.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: roleName}, Rules: rules}, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		if _, err := c.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: roleName},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: roleName},
			Subjects:   subject,
		}, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
	} else {
		if _, err := c.RbacV1().Roles(namespace).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: roleName}, Rules: rules}, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		if _, err := c.RbacV1().RoleBindings(namespace).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: roleName},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: roleName},
			Subjects:   subject,
		}, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
	}
	exp := int64(24 * 3600)
	tr, err := c.CoreV1().ServiceAccounts("kube-system").CreateToken(ctx, name, &authv1.TokenRequest{Spec: authv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("token for %s: %w", name, err)
	}
	u := &User{Name: name, Token: tr.Status.Token, Kubeconfig: filepath.Join(p.Dir, "kubeconfig-"+name)}
	if err := writeKubeconfig(u.Kubeconfig, p.opts.ContextName+"-"+name, p.Server(), p.pki.CAPEM, name, u.Token, namespace); err != nil {
		return nil, err
	}
	u.Config = rest.CopyConfig(p.Config)
	u.Config.BearerToken = u.Token
	u.Config.BearerTokenFile = ""
	return u, nil
}
