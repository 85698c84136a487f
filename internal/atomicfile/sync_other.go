//go:build !unix

package atomicfile

// isNotSupported reports whether a folder sync failed only because the
// file system does not sync folders (always so off Unix, where folders
// cannot be opened for syncing).
func isNotSupported(error) bool { return true }
