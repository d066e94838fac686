package auth

import (
	"net"
	"net/netip"
	"testing"
)

func TestTrustLoopback(t *testing.T) {
	p := TrustLoopback("lakegate")
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
	remote := &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 1}
	if err := p.Check("lakegate", loop); err != nil {
		t.Errorf("loopback trust user refused: %v", err)
	}
	if err := p.Check("lakegate", remote); err == nil {
		t.Error("trust user admitted from a remote address")
	}
	unknown := p.Check("mallory", loop)
	wrongHost := p.Check("lakegate", remote)
	if unknown == nil || wrongHost == nil {
		t.Fatal("refusals expected")
	}
	p.TrustedNetworks = []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}
	if err := p.Check("lakegate", remote); err != nil {
		t.Errorf("trusted network refused: %v", err)
	}
	if err := p.Check("lakegate", &net.TCPAddr{IP: net.IPv4(10, 2, 0, 1)}); err == nil {
		t.Error("address outside the trusted network admitted")
	}
	if (&Policy{}).Check("lakegate", loop) == nil {
		t.Error("zero policy admitted a user")
	}
}
