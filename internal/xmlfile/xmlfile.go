// Package xmlfile holds what CityTwin's XML readers (SUMO networks and
// route files) share: transparent gzip decompression and error messages
// that name the line.
package xmlfile

import (
	"bufio"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"

	"github.com/citytwin/citytwin/internal/limitio"
)

// MaxBytes is the default bound on the decompressed size of a
// gzip-compressed file (4 GiB).
const MaxBytes = 4 << 30

// Reader returns a reader over r's content, decompressed when r starts
// with the gzip magic number. Decompressed content longer than max bytes
// (MaxBytes when max <= 0) fails with a *limitio.TooLargeError naming
// name, so that a small file that expands without end is refused.
func Reader(r io.Reader, name string, max int64) (io.Reader, error) {
	if max <= 0 {
		max = MaxBytes
	}
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return bufio.NewReader(limitio.NewReader(zr, name, max)), nil
	}
	return br, nil
}

// Error turns an error of d into "line N: ...", saying "malformed XML" for
// syntax errors.
func Error(d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: malformed XML: %s", se.Line, se.Msg)
	}
	line, _ := d.InputPos()
	return fmt.Errorf("line %d: %w", line, err)
}
