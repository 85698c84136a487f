package twin

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// MaxFieldLine bounds a line of a field-data file (bytes).
const MaxFieldLine = 1 << 20

// MaxLogLine bounds a line of a command log (`serve -log`) read back
// (bytes): an entry holds one command, itself bounded by the request
// body limit.
const MaxLogLine = 16 << 20

// TailField follows a JSON-lines file of field data and submits each new
// line, as it is appended, as one command: field_counts, field_signal or
// release_signal (with its kind). It reads the lines already there first;
// when the file shrinks (truncated or replaced) it starts again from its
// beginning. It polls every poll (0: 500 ms) until ctx is done. A line
// that cannot be decoded or is refused is passed to report with its line
// number and skipped.
func (t *Twin) TailField(ctx context.Context, path string, poll time.Duration, report func(line int, err error)) error {
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	if report == nil {
		report = func(int, error) {}
	}
	var off int64
	line := 0
	var partial []byte
	skipping := false // in a line that is too long
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		f, err := os.Open(path)
		if err == nil {
			st, serr := f.Stat()
			if serr == nil && st.Size() < off {
				off, line, partial, skipping = 0, 0, nil, false
			}
			if _, err = f.Seek(off, io.SeekStart); err == nil {
				r := bufio.NewReaderSize(f, 64<<10)
				for {
					chunk, rerr := r.ReadSlice('\n')
					off += int64(len(chunk))
					complete := rerr == nil
					if !skipping {
						partial = append(partial, chunk...)
						if len(partial) > MaxFieldLine {
							report(line+1, fmt.Errorf("twin: line longer than %d bytes", MaxFieldLine))
							partial, skipping = nil, true
						}
					}
					if complete {
						line++
						if !skipping {
							t.submitFieldLine(ctx, line, bytes.TrimSpace(partial), report)
						}
						partial, skipping = partial[:0], false
						continue
					}
					if errors.Is(rerr, bufio.ErrBufferFull) {
						continue
					}
					break // EOF: an incomplete last line waits for the rest
				}
			}
			f.Close()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.stopped:
			return nil
		case <-tick.C:
		}
	}
}

func (t *Twin) submitFieldLine(ctx context.Context, line int, b []byte, report func(int, error)) {
	if len(b) == 0 || b[0] == '#' {
		return
	}
	c, err := DecodeCommand(b)
	if err != nil {
		report(line, err)
		return
	}
	if c.Kind != KindFieldCounts && c.Kind != KindFieldSignal && c.Kind != KindReleaseSignal {
		report(line, errorf(statusUnprocess, "invalid_command", "a field-data line must be field_counts, field_signal or release_signal, not %s", c.Kind))
		return
	}
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := t.Submit(qctx, []Command{c}); err != nil {
		report(line, err)
	}
}
