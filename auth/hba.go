package auth

import (
	"net"
	"net/netip"
	"slices"
)

// HBARule is one line of the host-based rule list: the first rule whose
// users and address match a login decides its method.
type HBARule struct {
	// Users the rule applies to; empty or "*" means every user.
	Users []string
	// Address the client connects from; an invalid (zero) prefix means
	// any address.
	Address netip.Prefix
	Method  Method
	// Line is where the rule is in the config file, for logs.
	Line int
}

func (r *HBARule) matches(user string, addr netip.Addr, local bool) bool {
	if len(r.Users) > 0 && !slices.Contains(r.Users, "*") && !slices.Contains(r.Users, user) {
		return false
	}
	if !r.Address.IsValid() {
		return true
	}
	if local {
		// A Unix socket counts as loopback.
		return r.Address.Contains(netip.IPv6Loopback()) || r.Address.Contains(netip.MustParseAddr("127.0.0.1"))
	}
	return addr.IsValid() && r.Address.Contains(addr)
}

// clientAddr is the client's IP (unmapped from IPv4-in-IPv6), and whether
// it came over a Unix socket.
func clientAddr(a net.Addr) (ip netip.Addr, local bool) {
	switch a := a.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
		return ip.Unmap(), false
	case *net.UnixAddr:
		return netip.Addr{}, true
	}
	return netip.Addr{}, false
}

// isLoopbackOnly reports whether every address of p is a loopback address.
func isLoopbackOnly(p netip.Prefix) bool {
	loop4 := netip.MustParsePrefix("127.0.0.0/8")
	if p.Addr().Unmap().Is4() {
		return p.Bits() >= 8 && loop4.Contains(p.Addr().Unmap())
	}
	return p.Bits() == 128 && p.Addr() == netip.IPv6Loopback()
}
