package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxMessage is the default limit on the size of a client message
// (bytes): far above what any command of the subset needs (a program
// of a thousand phases takes about 100 kB), small enough that a hostile
// length cannot make the server allocate much.
const MaxMessage = 16 << 20

// ErrTooLarge reports a message whose announced length is above the limit.
var ErrTooLarge = errors.New("wire: message larger than the limit")

// ReadMessage reads one message from r and returns its body (the bytes
// after the int32 total length), reusing buf when it is large enough. It
// returns io.EOF when r ends cleanly before a message,
// io.ErrUnexpectedEOF when it ends inside one, and an error for a length
// below 4 or above max, without reading the body.
func ReadMessage(r io.Reader, buf []byte, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int64(int32(binary.BigEndian.Uint32(hdr[:])))
	if n < 4 {
		return nil, fmt.Errorf("wire: message length %d is less than its own 4 bytes", n)
	}
	if n-4 > int64(max) {
		return nil, fmt.Errorf("%w: %d bytes announced, at most %d", ErrTooLarge, n-4, max)
	}
	size := int(n - 4)
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// A Command is one command of a message: its id, its payload (the bytes
// after the id) and the length its header announced (counting the
// header), which the server checks against what it consumed.
type Command struct {
	ID      uint8
	Payload []byte
	Length  int
}

// SplitCommands splits a message body into its commands. On a malformed
// command header (a length that runs past the end of the message, or too
// short to hold the header) it returns the commands before it and an
// error.
func SplitCommands(body []byte) ([]Command, error) {
	var out []Command
	for off := 0; off < len(body); {
		c, n, err := nextCommand(body[off:])
		if err != nil {
			return out, fmt.Errorf("wire: command %d at byte %d: %w", len(out)+1, off, err)
		}
		out = append(out, c)
		off += n
	}
	return out, nil
}

func nextCommand(b []byte) (Command, int, error) {
	n := int64(b[0])
	hdr := 2
	if n == 0 {
		if len(b) < 6 {
			return Command{}, 0, fmt.Errorf("an extended length needs 6 header bytes, %d left", len(b))
		}
		n = int64(int32(binary.BigEndian.Uint32(b[1:5])))
		hdr = 6
	}
	if n < int64(hdr) {
		return Command{}, 0, fmt.Errorf("command length %d is shorter than its %d header bytes", n, hdr)
	}
	if n > int64(len(b)) {
		return Command{}, 0, fmt.Errorf("command length %d exceeds the %d bytes left in the message", n, len(b))
	}
	return Command{ID: b[hdr-1], Payload: b[hdr:n:n], Length: int(n)}, int(n), nil
}

// AppendCommand appends a command with the given id and payload in SUMO's
// form: a one-byte length when the whole command fits in 255 bytes, else
// 0 and an int32 length.
func AppendCommand(dst []byte, id uint8, payload []byte) []byte {
	if n := 2 + len(payload); n <= 255 {
		dst = append(dst, uint8(n), id)
	} else {
		dst = append(dst, 0)
		dst = binary.BigEndian.AppendUint32(dst, uint32(n+4))
		dst = append(dst, id)
	}
	return append(dst, payload...)
}

// AppendStatus appends a status command: the request's id, a result code
// and a description (empty on success; the Python client raises
// TraCIException on any other result or a non-empty description).
func AppendStatus(dst []byte, id, result uint8, desc string) []byte {
	var w Writer
	w.U8(result)
	w.String(desc)
	return AppendCommand(dst, id, w.Bytes())
}

// AppendMessage appends a message of body: its int32 total length and
// the body.
func AppendMessage(dst, body []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(body)+4))
	return append(dst, body...)
}
