//go:build !linux

package redistest

import "syscall"

// sysProcAttr is empty off Linux: the cleanup registered by Start is the
// only thing that stops redis-server.
func sysProcAttr() *syscall.SysProcAttr { return nil }
