// Package limitio reads input files with a size bound, so that no file —
// a huge one, or a device such as /dev/zero that never ends — can make a
// reader exhaust memory.
package limitio

import (
	"fmt"
	"io"
	"os"
)

// ReadFile reads the regular file path, which must hold at most max
// bytes. Devices, pipes and folders are refused before any read; a file
// that grows past max while being read is refused too.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, kind(st.Mode()))
	}
	if st.Size() > max {
		return nil, &TooLargeError{Path: path, Size: st.Size(), Max: max}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &TooLargeError{Path: path, Size: -1, Max: max}
	}
	return data, nil
}

// TooLargeError is a file over the bound.
type TooLargeError struct {
	Path string
	Size int64 // bytes; −1 when it grew while being read, −2 when its content decompresses to more
	Max  int64
}

func (e *TooLargeError) Error() string {
	if e.Size == -2 {
		return fmt.Sprintf("%s decompresses to more than %d bytes", e.Path, e.Max)
	}
	if e.Size < 0 {
		return fmt.Sprintf("%s grew beyond %d bytes while being read", e.Path, e.Max)
	}
	return fmt.Sprintf("%s has %d bytes, more than the limit of %d", e.Path, e.Size, e.Max)
}

func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// NewReader returns a reader of r that fails with a *TooLargeError naming
// name once r has given more than max bytes. Readers of compressed
// inputs wrap the decompressed stream with it, so that a small file that
// expands without end (a "zip bomb") is refused instead of filling
// memory; a plain io.LimitReader would cut it silently instead.
func NewReader(r io.Reader, name string, max int64) io.Reader {
	return &reader{r: r, name: name, left: max, max: max}
}

type reader struct {
	r         io.Reader
	name      string
	left, max int64
}

func (l *reader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, &TooLargeError{Path: l.name, Size: -2, Max: l.max}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), &TooLargeError{Path: l.name, Size: -2, Max: l.max}
	}
	return n, err
}
