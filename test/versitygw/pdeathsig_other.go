//go:build !linux

package versitygw

import "syscall"

// childAttr: only Linux can tie the child's life to the test binary's.
func childAttr() *syscall.SysProcAttr { return nil }
