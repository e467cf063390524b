package redistest

import "syscall"

// sysProcAttr has Linux kill redis-server if the test binary dies without
// running its cleanups (a panic, a -timeout). Pdeathsig fires when the
// thread that started the child exits; Go keeps its threads unless a
// goroutine exits while locked to one, which these tests never do.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
