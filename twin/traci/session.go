package traci

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/citytwin/citytwin/twin/traci/wire"
)

// session answers one client's messages. It is not safe for concurrent
// use: TraCI is strictly request/answer on one connection.
type session struct {
	w      *world
	maxMsg int
	closed bool // the client sent close
	out    []byte
	steps  []byte // simulation-step answers, sent after the message's others (as SUMO does)
	vw     wire.Writer
	// log, when set, receives every request message and its answer
	// (for recording sessions).
	log func(req, resp []byte)
	// stepBudget, when positive, bounds the steps the session may still
	// run (the fuzz tests set it; a client may otherwise ask for any
	// time, as of SUMO).
	stepBudget int64
	limited    bool
}

// serve answers messages from rw until the client closes or hangs up,
// or a message cannot be framed. It returns nil after close or a clean
// hang-up.
func (s *session) serve(rw io.ReadWriter) error {
	br := bufio.NewReaderSize(rw, 64<<10)
	var buf []byte
	for !s.closed {
		body, err := wire.ReadMessage(br, buf, s.maxMsg)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("traci: reading a message: %w", err)
		}
		buf = body[:0]
		resp, fatal := s.handle(body)
		if _, err := rw.Write(resp); err != nil {
			return fmt.Errorf("traci: writing an answer: %w", err)
		}
		if fatal != nil {
			return fatal
		}
	}
	return nil
}

// handle answers one message body and returns the whole answer message.
// fatal is set when the message was malformed beyond recovery: the
// answer then ends with an error status and the connection must close.
func (s *session) handle(body []byte) (resp []byte, fatal error) {
	s.out, s.steps = s.out[:0], s.steps[:0]
	cmds, splitErr := wire.SplitCommands(body)
	for _, c := range cmds {
		if s.closed {
			break // SUMO answers nothing after close
		}
		if fatal = s.command(c); fatal != nil {
			break
		}
	}
	if splitErr != nil && !s.closed && fatal == nil {
		id := uint8(0)
		if len(body) > 1 {
			id = body[1]
		}
		s.out = wire.AppendStatus(s.out, id, wire.ResultError, fmt.Sprintf("Malformed message: %v", splitErr))
		fatal = splitErr
	}
	s.out = append(s.out, s.steps...)
	resp = wire.AppendMessage(nil, s.out)
	if s.log != nil {
		s.log(body, resp)
	}
	return resp, fatal
}

// command answers one command. A command whose payload is longer than
// what it needs is answered with an error in place of its answer (its
// effect has happened: SUMO executes it too) and ends the connection,
// as in SUMO, which stops answering after such a message.
func (s *session) command(c wire.Command) (fatal error) {
	r := wire.NewReader(c.Payload)
	nOut, nSteps := len(s.out), len(s.steps)
	err := s.dispatch(c.ID, r)
	switch {
	case err == nil && r.Err() != nil:
		err = errf("%v", r.Err())
	case err == nil && r.Len() != 0:
		err = errf("Wrong position in requestMessage after dispatching command %d. Expected command length was %d but %d Bytes were read.",
			c.ID, c.Length, c.Length-r.Len())
		fatal = err
	}
	if err != nil {
		s.out, s.steps = s.out[:nOut], s.steps[:nSteps]
	}
	var ni *notImplemented
	switch {
	case errors.As(err, &ni):
		s.out = wire.AppendStatus(s.out, c.ID, wire.ResultNotImplemented, ni.msg)
	case err != nil:
		s.out = wire.AppendStatus(s.out, c.ID, wire.ResultError, err.Error())
	}
	return fatal
}

// notImplemented is answered with RTYPE_NOTIMPLEMENTED.
type notImplemented struct{ msg string }

func (e *notImplemented) Error() string { return e.msg }

// dispatch runs one command. Success answers are written by the handlers
// (ok, okValue, the control commands); errors are answered by command.
func (s *session) dispatch(id uint8, r *wire.Reader) error {
	switch id {
	case wire.CmdGetVersion:
		s.ok(id)
		var w wire.Writer
		w.I32(wire.APIVersion)
		w.String(wire.VersionName)
		s.out = wire.AppendCommand(s.out, wire.CmdGetVersion, w.Bytes())
		return nil
	case wire.CmdSimStep:
		t := r.F64()
		if r.Err() != nil {
			return errf("simulationStep needs a target time as a double (8 bytes)")
		}
		if err := s.simStep(t); err != nil {
			return err
		}
		s.steps = wire.AppendStatus(s.steps, id, wire.ResultOK, "")
		s.steps = append(s.steps, 0, 0, 0, 0) // no subscription results
		return nil
	case wire.CmdSetOrder:
		o := r.I32()
		if r.Err() != nil {
			return errf("setOrder needs an order as an int (4 bytes)")
		}
		if o < 0 || o > 1<<30 {
			return errf("Order '%d' is not in the allowed range [0,%d].", o, 1<<30)
		}
		s.ok(id)
		return nil
	case wire.CmdClose:
		s.ok(id)
		s.closed = true
		return nil
	case wire.CmdLoad:
		r.Value() // consume the options
		return &notImplemented{"Command load (0x01) not implemented in CityTwin's TraCI server: start a new server instead"}
	}
	base, dom := id&0xf0, id&0x0f
	if (base == wire.GetBase || base == wire.SetBase) && dom == wire.DomGUI {
		return guiError(r)
	}
	switch base {
	case wire.GetBase:
		if g, ok := getters[dom]; ok {
			varID, obj, err := varHeader(r)
			if err != nil {
				return err
			}
			s.vw.Reset()
			if err := g.get(s, varID, obj, r, &s.vw); err != nil {
				return err
			}
			s.ok(id)
			var w wire.Writer
			w.U8(varID)
			w.String(obj)
			s.out = wire.AppendCommand(s.out, id+wire.ResponseOffset, append(w.Bytes(), s.vw.Bytes()...))
			return nil
		}
	case wire.SetBase:
		if set, ok := setters[dom]; ok {
			varID, obj, err := varHeader(r)
			if err != nil {
				return err
			}
			if err := set(s, varID, obj, r); err != nil {
				return err
			}
			s.ok(id)
			return nil
		}
	}
	skip(r)
	return &notImplemented{fmt.Sprintf("Command not implemented in sumo: CityTwin's TraCI server does not implement command 0x%02x (see docs/traci.md for the commands it answers)", id)}
}

// varHeader reads the variable id and object id that start a GET or SET
// command.
func varHeader(r *wire.Reader) (uint8, string, error) {
	varID := r.U8()
	obj := r.Str()
	if r.Err() != nil {
		return 0, "", errf("%v", r.Err())
	}
	return varID, obj, nil
}

// skip consumes the rest of a command the server does not read.
func skip(r *wire.Reader) { r.Skip() }

func guiError(r *wire.Reader) error {
	skip(r)
	return &notImplemented{"GUI is not running, command not implemented in command line sumo"}
}

// ok appends a success status.
func (s *session) ok(id uint8) { s.out = wire.AppendStatus(s.out, id, wire.ResultOK, "") }

// simStep runs the simulation as CMD_SIMSTEP asks: t = 0 one step, else
// until the time reaches t (s); a time already reached runs no step.
func (s *session) simStep(t float64) error {
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return errf("simulationStep: the target time %v is not a time", t)
	}
	w := s.w
	if t > 1e12 {
		return errf("simulationStep: the target time %g s is beyond what the server simulates", t)
	}
	target := w.nowMs + w.dtMs
	if t != 0 {
		target = secondsToMs(t)
	}
	for w.nowMs < target {
		if s.limited {
			if s.stepBudget <= 0 {
				return errf("simulationStep: the step budget of this session is spent")
			}
			s.stepBudget--
		}
		w.step()
	}
	return nil
}

// A getter answers GET commands of one domain: it writes the typed value
// of variable varID of object obj to w, reading any parameters from r.
type getter interface {
	get(s *session, varID uint8, obj string, r *wire.Reader, w *wire.Writer) error
}

type getterFunc func(s *session, varID uint8, obj string, r *wire.Reader, w *wire.Writer) error

func (f getterFunc) get(s *session, varID uint8, obj string, r *wire.Reader, w *wire.Writer) error {
	return f(s, varID, obj, r, w)
}

// A setter answers SET commands of one domain.
type setter func(s *session, varID uint8, obj string, r *wire.Reader) error

// getters and setters by domain (filled in domains.go).
var (
	getters = map[uint8]getter{}
	setters = map[uint8]setter{}
)
