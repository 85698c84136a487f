package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The worked examples of the protocol: bytes as SUMO 1.15 and its Python
// client exchange them (recorded with a raw socket).
func TestWorkedExamples(t *testing.T) {
	// traci.simulation.getTime() before the first step.
	req := unhex(t, "0000000b 07ab6600000000")
	body, err := ReadMessage(bytes.NewReader(req), nil, MaxMessage)
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := SplitCommands(body)
	if err != nil || len(cmds) != 1 || cmds[0].ID != 0xab {
		t.Fatalf("commands %v, %v", cmds, err)
	}
	r := NewReader(cmds[0].Payload)
	if v, id := r.U8(), r.Str(); v != 0x66 || id != "" || r.Len() != 0 || r.Err() != nil {
		t.Fatalf("var 0x%02x id %q left %d err %v", v, id, r.Len(), r.Err())
	}
	var w Writer
	w.U8(0x66)
	w.String("")
	w.TypedDouble(0)
	out := AppendStatus(nil, 0xab, ResultOK, "")
	out = AppendCommand(out, 0xbb, w.Bytes())
	want := unhex(t, "0000001b 07ab0000000000 10bb66000000000b0000000000000000")
	if got := AppendMessage(nil, out); !bytes.Equal(got, want) {
		t.Errorf("getTime answer\n got %x\nwant %x", got, want)
	}
	// The error SUMO sends for an unknown traffic light.
	st := AppendStatus(nil, 0xa2, ResultError, "Traffic light 'nope' is not known")
	if want := unhex(t, "28a2ff0000002154726166666963206c6967687420276e6f706527206973206e6f74206b6e6f776e"); !bytes.Equal(st, want) {
		t.Errorf("error status\n got %x\nwant %x", st, want)
	}
}

func TestCommandForms(t *testing.T) {
	long := bytes.Repeat([]byte{'x'}, 300)
	for _, tc := range []struct {
		name    string
		payload []byte
		hdr     int
	}{
		{"empty", nil, 2},
		{"short", []byte{1, 2, 3}, 2},
		{"253 bytes: short", long[:253], 2},
		{"254 bytes: extended", long[:254], 6},
		{"300 bytes", long, 6},
	} {
		b := AppendCommand(nil, 0x42, tc.payload)
		if len(b) != tc.hdr+len(tc.payload) {
			t.Errorf("%s: %d bytes, want header %d + %d", tc.name, len(b), tc.hdr, len(tc.payload))
		}
		cmds, err := SplitCommands(b)
		if err != nil || len(cmds) != 1 || cmds[0].ID != 0x42 || !bytes.Equal(cmds[0].Payload, tc.payload) || cmds[0].Length != len(b) {
			t.Errorf("%s: split %v, %v", tc.name, cmds, err)
		}
	}
}

func TestSplitCommandsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		ok   int // commands returned before the error
	}{
		{"length past the end", "0cab66000000", 0},
		{"length below the header", "01ab", 0},
		{"extended header cut", "00000000", 0},
		{"extended length below header", "0000000004ab", 0},
		{"second command cut", "0200 0500", 1},
		{"negative extended length", "00ffffffffab", 0},
	} {
		cmds, err := SplitCommands(unhex(t, tc.body))
		if err == nil || len(cmds) != tc.ok {
			t.Errorf("%s: %d commands, err %v; want %d and an error", tc.name, len(cmds), err, tc.ok)
		}
	}
}

func TestReadMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want error // nil: any non-nil error
		ok   bool
	}{
		{"clean end", "", io.EOF, false},
		{"cut header", "0000", io.ErrUnexpectedEOF, false},
		{"cut body", "0000000a0102", io.ErrUnexpectedEOF, false},
		{"length below 4", "00000003", nil, false},
		{"negative length", "ffffffff", nil, false},
		{"huge length", "7fffffff", ErrTooLarge, false},
		{"empty message", "00000004", nil, true},
	} {
		_, err := ReadMessage(bytes.NewReader(unhex(t, tc.in)), nil, 1<<20)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.ok && err == nil:
			t.Errorf("%s: no error", tc.name)
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestReaderLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		read func(r *Reader)
	}{
		{"string longer than input", "000f4240616263", func(r *Reader) { r.Str() }},
		{"negative string length", "ffffffff", func(r *Reader) { r.Str() }},
		{"huge string list", "0e7fffffff", func(r *Reader) { r.TypedStringList() }},
		{"huge compound", "0f7fffffff", func(r *Reader) { r.Value() }},
		{"huge polygon", "0600 7fffffff", func(r *Reader) { r.Value() }},
		{"short polygon", "06ff 00", func(r *Reader) { r.Value() }},
		{"unknown tag", "55", func(r *Reader) { r.Value() }},
		{"wrong tag", "0b0000000000000000", func(r *Reader) { r.TypedInt() }},
		{"deep nesting", strings.Repeat("0f00000001", MaxDepth+1) + "0900000000", func(r *Reader) { r.Value() }},
	} {
		r := NewReader(unhex(t, tc.in))
		tc.read(r)
		if r.Err() == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestValueRoundTrip(t *testing.T) {
	var w Writer
	w.Compound(7)
	w.TypedInt(-3)
	w.TypedDouble(1.5)
	w.TypedString("a\xe9")
	w.TypedStringList([]string{"x", ""})
	w.Polygon([][2]float64{{1, 2}, {3, 4}})
	w.TypedByte(-2)
	w.Compound(1)
	w.TypedUByte(200)
	r := NewReader(w.Bytes())
	v := r.Value()
	if r.Err() != nil || r.Len() != 0 {
		t.Fatalf("err %v, %d left", r.Err(), r.Len())
	}
	var w2 Writer
	w2.Value(v)
	if !bytes.Equal(w.Bytes(), w2.Bytes()) {
		t.Errorf("round trip\n got %x\nwant %x", w2.Bytes(), w.Bytes())
	}
	if v.Items[5].Int != -2 || v.Items[6].Items[0].Int != 200 || v.Items[2].Str != "a\xe9" {
		t.Errorf("decoded %+v", v)
	}
}

func TestSameLayout(t *testing.T) {
	tls := func(n int) Value {
		v := Value{Tag: TypeCompound, Items: []Value{{Tag: TypeInteger}}}
		for i := 0; i < n; i++ {
			v.Items = append(v.Items, Value{Tag: TypeString}, Value{Tag: TypeInteger}, Value{Tag: TypeDouble}, Value{Tag: TypeByte})
		}
		return v
	}
	for n := 1; n <= 3; n++ {
		if !SameLayout(tls(1), tls(n)) {
			t.Errorf("getNextTLS with 1 and %d lights: %s vs %s", n, tls(1).Layout(), tls(n).Layout())
		}
	}
	phase := Value{Tag: TypeCompound, Items: []Value{{Tag: TypeDouble}, {Tag: TypeString}}}
	list := func(n int, it Value) Value {
		v := Value{Tag: TypeCompound}
		for i := 0; i < n; i++ {
			v.Items = append(v.Items, it)
		}
		return v
	}
	if !SameLayout(list(1, phase), list(4, phase)) {
		t.Errorf("lists of 1 and 4 phases differ: %s, %s", list(1, phase).Layout(), list(4, phase).Layout())
	}
	// Nested lists of different lengths.
	if !SameLayout(list(2, list(1, phase)), list(1, list(3, phase))) {
		t.Errorf("nested lists differ")
	}
	other := Value{Tag: TypeCompound, Items: []Value{{Tag: TypeString}, {Tag: TypeDouble}}}
	for _, tc := range []struct {
		name string
		a, b Value
	}{
		{"double vs integer", Value{Tag: TypeDouble}, Value{Tag: TypeInteger}},
		{"items swapped", phase, other},
		{"a missing item", tls(1), Value{Tag: TypeCompound, Items: tls(1).Items[:4]}},
		{"list of other items", list(2, phase), list(2, other)},
	} {
		if SameLayout(tc.a, tc.b) {
			t.Errorf("%s: %s and %s match", tc.name, tc.a.Layout(), tc.b.Layout())
		}
	}
	if got := list(3, phase).Layout(); got != "compound[compound[double,string]x3]" {
		t.Errorf("Layout %s", got)
	}
}
