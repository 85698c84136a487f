package wire

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the message reader, the command
// splitter and the value decoder, as the server does with a client's
// bytes: none may panic, a decoded value must encode back to the bytes it
// came from, and nothing may allocate beyond what the input describes.
// Seeds: requests recorded from SUMO's Python client, and hostile ones.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"0000000b07ab6600000000",                                 // simulation.getTime
		"00000006 0200",                                          // getVersion
		"0000000e 0a020000000000000000",                          // simulationStep()
		"00000006 027f",                                          // close
		"00000016 12c2220000000241300900000003",                  // trafficlight.setPhase("A0", 3)
		"00000018 14c2200000000241300c00000006474747727272",      // setRedYellowGreenState("A0", "GGGrrr")
		"0000000e 0aa327000000024130",                            // getControlledLinks
		"00000010 0ca3120000000b3a4a305f305f30",                  // lane ids
		"0000000f 00000000 0bab6600000000",                       // extended form
		"7fffffff",                                               // huge length
		"00000004",                                               // empty message
		"0000000a 0f0f7fffffff",                                  // huge compound
		"0000000e 0ac22c0000000000 0f7fffffff",                   // program with a huge phase count
		"0000001a 0f0f00000001 0f00000001 0f00000001 0f00000001", // nesting
	} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := ReadMessage(bytes.NewReader(data), nil, 1<<16)
		if err != nil {
			body = data // decode the raw bytes as a body too
		}
		cmds, _ := SplitCommands(body)
		for _, c := range cmds {
			r := NewReader(c.Payload)
			r.U8()
			r.Str()
			start := r.Offset()
			v := r.Value()
			if r.Err() == nil {
				var w Writer
				w.Value(v)
				if got := w.Bytes(); !bytes.Equal(got, c.Payload[start:r.Offset()]) {
					t.Fatalf("value %x re-encodes as %x", c.Payload[start:r.Offset()], got)
				}
				_ = v.Layout()
				if !SameLayout(v, v) {
					t.Fatalf("%s differs from itself", v.Layout())
				}
			}
		}
		// Every typed reader on the raw bytes.
		r := NewReader(data)
		r.TypedStringList()
		r = NewReader(data)
		r.Compound()
		r = NewReader(data)
		r.TypedString()
	})
}
