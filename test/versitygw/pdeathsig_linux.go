package versitygw

import "syscall"

// childAttr makes the kernel kill the gateway if the test binary dies
// without running its cleanups (a panic in another goroutine, a -timeout
// kill), so no orphaned server keeps a port and a directory.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
