//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// isNotSupported reports whether a folder sync failed only because the
// file system does not sync folders.
func isNotSupported(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP)
}
