package auth

import (
	"net"
	"net/netip"
	"slices"

	"github.com/lakegate/lakegate/sqlstate"
)

// Method is how a user proves who they are.
type Method string

// Methods lakegate accepts.
const (
	// Trust admits the user without a password, from loopback or a
	// network the policy explicitly trusts.
	Trust Method = "trust"
)

// User is a configured login.
type User struct {
	Name   string
	Method Method
}

// Policy is the set of users that may log in. Its zero value admits nobody.
type Policy struct {
	Users []User
	// TrustedNetworks are addresses besides loopback from which trust users
	// are admitted (a container's bridge network, say).
	TrustedNetworks []netip.Prefix
}

// TrustLoopback returns a policy admitting the named users without a
// password from loopback addresses: the demo's default.
func TrustLoopback(names ...string) *Policy {
	p := &Policy{}
	for _, n := range names {
		p.Users = append(p.Users, User{Name: n, Method: Trust})
	}
	return p
}

// Check decides whether user may log in from remote. The error is what the
// client sees: the same message whether or not the user exists.
func (p *Policy) Check(user string, remote net.Addr) error {
	i := slices.IndexFunc(p.Users, func(u User) bool { return u.Name == user })
	if i < 0 || p.Users[i].Method != Trust || !p.trusted(remote) {
		return sqlstate.Errorf(sqlstate.InvalidAuthorizationSpecification,
			"no lakegate login for user %q from this host", user).Fatal()
	}
	return nil
}

func (p *Policy) trusted(addr net.Addr) bool {
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			return false
		}
		ip = ip.Unmap()
		if ip.IsLoopback() {
			return true
		}
		for _, n := range p.TrustedNetworks {
			if n.Contains(ip) {
				return true
			}
		}
	case *net.UnixAddr:
		return true
	}
	return false
}
