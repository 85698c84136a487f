// Package wire encodes and decodes SUMO's TraCI protocol: the framing of
// messages and commands, the typed values ("storage") they carry, and
// the status answers, byte for byte as SUMO 1.15's TraCI server and its
// Python client (tools/traci) write and read them.
//
// A message is an int32 total length (counting its own four bytes)
// followed by commands. A command is a ubyte length (counting itself), a
// ubyte command id and its payload; when that would exceed 255 bytes the
// length byte is 0 and an int32 length (counting the 0 byte, itself, the
// id and the payload) follows. All numbers are big-endian. Every answer
// to a command starts with a status command (the request's id, a result
// code and a description string); getters then add a response command
// whose id is the request's + 0x10 (see the SUMO documentation,
// TraCI/Protocol).
//
// Decoding is defensive: a [Reader] checks every length against what is
// left of its input before reading or allocating, stops at the first
// problem (Reader.Err) and never panics, whatever the bytes; nested
// values are limited to [MaxDepth] levels. [ReadMessage] refuses messages
// larger than a given limit before reading them.
package wire
