package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempMark separates a final name from the random suffix of its
// temporary file: ".NAME" + tempMark + "RANDOM".
const tempMark = ".tmp-"

// IsTemp reports whether a file name (without folder) is one of the
// temporary names Create uses.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMark)
}

// A File is a file being written under a temporary name. It is not safe
// for concurrent use.
type File struct {
	path string
	f    *os.File
	w    *bufio.Writer
	done bool
}

// Create starts writing the file path (its folder is created if needed):
// the data goes to a temporary file beside it until Commit.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, fmt.Errorf("atomicfile: %q names a folder, not a file", path)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "."+base+tempMark+"*")
	if err != nil {
		return nil, err
	}
	return &File{path: path, f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// Name returns the final path.
func (f *File) Name() string { return f.path }

// TempName returns the temporary path the data goes to.
func (f *File) TempName() string { return f.f.Name() }

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("atomicfile: %s: write after Commit or Abort", f.path)
	}
	return f.w.Write(p)
}

// WriteString writes s to the temporary file.
func (f *File) WriteString(s string) (int, error) {
	if f.done {
		return 0, fmt.Errorf("atomicfile: %s: write after Commit or Abort", f.path)
	}
	return f.w.WriteString(s)
}

// Commit makes the file final: it flushes and syncs the data, gives the
// file mode 0644, renames it to its final path (replacing any file
// there) and syncs the folder. On error the temporary file is removed
// and the final path keeps what it had.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: %s: Commit after Commit or Abort", f.path)
	}
	f.done = true
	tmp := f.f.Name()
	err := f.w.Flush()
	if err == nil {
		err = f.f.Chmod(0o644)
	}
	if err == nil {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(filepath.Dir(f.path))
}

// Abort gives up the file: the temporary file is closed and removed and
// the final path keeps what it had. After Commit it does nothing, so it
// may be deferred.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	f.f.Close()
	return os.Remove(f.f.Name())
}

// WriteFile writes data to path atomically (see Create and Commit).
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// SyncDir syncs a folder, so that the names created, renamed or removed
// in it survive a power cut. File systems that cannot sync a folder are
// not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !errors.Is(err, errors.ErrUnsupported) {
		var pe *fs.PathError
		if errors.As(err, &pe) && isNotSupported(pe.Err) {
			return nil
		}
		return err
	}
	return nil
}

// CleanTemps removes the temporary files a killed writer left in dir
// (not in its subfolders) and returns their names. Call it before
// writers start: it cannot tell a stray file from one being written.
func CleanTemps(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range ents {
		if e.Type().IsRegular() && IsTemp(e.Name()) {
			p := filepath.Join(dir, e.Name())
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return removed, err
			}
			removed = append(removed, p)
		}
	}
	return removed, nil
}
