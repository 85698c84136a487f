package twin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/citytwin/citytwin/scenarios"
)

// A Command is one request to change the twin: a what-if event (every
// kind of scenarios.Event, with the same keys as the [[events]] tables of
// a scenario file) or one of the kinds only the live twin has:
//
//   - set_phase (junction, phase): ask for a phase of a junction under
//     the external policy (switch it with switch_policy, policy
//     "external"); the request holds until the next set_phase.
//   - field_counts (counts, interval): detector counts from the street
//     over the last interval seconds; the twin scales the demand on the
//     counted roads so that its own counts follow (see the package
//     documentation).
//   - field_signal (junction, phase or state): the phase the street's
//     signal shows; the junction mirrors it until release_signal.
//   - release_signal (junction): the junction goes back to the
//     controller it had before field_signal.
//
// At, when later than the twin's time, schedules the command; otherwise
// it applies at the start of the next step. Commands are validated when
// they arrive and applied between steps, in arrival order.
type Command struct {
	scenarios.Event
	// Counts are the detector counts of field_counts.
	Counts []FieldCount `json:"counts,omitempty"`
	// Interval is the time the counts of field_counts cover, ending now (s).
	Interval float64 `json:"interval,omitempty"`
	// State is the phase of field_signal as its light letters (G, g, r
	// per movement in the junction's order), instead of Phase.
	State string `json:"state,omitempty"`
}

// FieldCount is one detector count: vehicles that passed the induction
// loops of a road (all its lanes, or Lane only) during the interval.
type FieldCount struct {
	Road  string  `json:"road"`
	Lane  *int    `json:"lane,omitempty"`
	Count float64 `json:"count"`
}

// Kinds of commands only the live twin takes.
const (
	KindSetPhase      = "set_phase"
	KindFieldCounts   = "field_counts"
	KindFieldSignal   = "field_signal"
	KindReleaseSignal = "release_signal"
)

// Command limits.
const (
	MaxCommandsPerRequest = 1000
	MaxFieldCounts        = 10000
	MaxFieldCount         = 1e6   // vehicles per count
	MaxFieldInterval      = 86400 // s
)

var liveKeys = map[string][]string{
	KindSetPhase:      {"junction", "phase"},
	KindFieldCounts:   {"counts", "interval"},
	KindFieldSignal:   {"junction", "phase", "state"},
	KindReleaseSignal: {"junction"},
}

// Kinds returns every command kind, the event kinds first.
func Kinds() []string {
	return append(slices.Clone(scenarios.EventKinds), KindSetPhase, KindFieldCounts, KindFieldSignal, KindReleaseSignal)
}

// keysOf returns the keys a command of kind takes besides at and kind.
func keysOf(kind string) ([]string, bool) {
	if k, ok := liveKeys[kind]; ok {
		return k, true
	}
	k := scenarios.EventKeys(kind)
	return k, k != nil
}

// live reports whether kind is one of the kinds only the live twin has.
func live(kind string) bool { _, ok := liveKeys[kind]; return ok }

// An Error is a request the twin refuses: an HTTP status, a short code and
// a message for people.
type Error struct {
	Status int    // HTTP status, 4xx
	Code   string // bad_json, invalid_command, wrong_mode, ...
	Msg    string
}

func (e *Error) Error() string { return "twin: " + e.Msg }

func errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Statuses of refused requests.
const (
	statusBadRequest  = 400
	statusForbidden   = 403
	statusNotFound    = 404
	statusConflict    = 409
	statusTooLarge    = 413
	statusUnsupported = 415
	statusUnprocess   = 422
	statusTooMany     = 429
	statusUpgrade     = 426
	statusUnavailable = 503
)

// DecodeCommands decodes a request body holding one command object, a
// JSON array of them, or an object {"commands": [...]}. Decoding is
// strict: unknown keys, keys the command's kind does not take, trailing
// data and more than MaxCommandsPerRequest commands are errors. It checks
// the form of each command, not whether it fits the twin (see
// Twin.Submit). It never panics.
func DecodeCommands(data []byte) ([]Command, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errorf(statusBadRequest, "bad_json", "empty body: want a command object, an array of them or {\"commands\": [...]}")
	}
	var raws []json.RawMessage
	var single map[string]json.RawMessage // the keys of a body that is one command
	switch data[0] {
	case '[':
		if err := strictUnmarshal(data, &raws); err != nil {
			return nil, err
		}
	case '{':
		var probe map[string]json.RawMessage
		if err := strictUnmarshal(data, &probe); err != nil {
			return nil, err
		}
		if list, ok := probe["commands"]; ok {
			if len(probe) != 1 {
				return nil, errorf(statusBadRequest, "bad_json", "an object with \"commands\" must have no other key")
			}
			if err := strictUnmarshal(list, &raws); err != nil {
				return nil, err
			}
		} else {
			raws, single = []json.RawMessage{data}, probe
		}
	default:
		return nil, errorf(statusBadRequest, "bad_json", "want a JSON object or array, got %q", clip(string(data), 20))
	}
	if len(raws) == 0 {
		return nil, errorf(statusBadRequest, "bad_json", "no command")
	}
	if len(raws) > MaxCommandsPerRequest {
		return nil, errorf(statusTooLarge, "too_many_commands", "%d commands in one request; at most %d", len(raws), MaxCommandsPerRequest)
	}
	out := make([]Command, len(raws))
	for i, raw := range raws {
		if err := decodeCommandKeys(raw, single, &out[i]); err != nil {
			if len(raws) > 1 {
				err.Msg = fmt.Sprintf("command %d: %s", i, err.Msg)
			}
			return nil, err
		}
	}
	return out, nil
}

// DecodeCommand decodes one command object (see DecodeCommands).
func DecodeCommand(data []byte) (Command, error) {
	var c Command
	if err := decodeCommand(data, &c); err != nil {
		return c, err
	}
	return c, nil
}

func decodeCommand(raw []byte, c *Command) *Error { return decodeCommandKeys(raw, nil, c) }

// decodeCommandKeys is decodeCommand with the command's keys already
// decoded (nil: not yet), which spares a pass over a large body.
func decodeCommandKeys(raw []byte, keys map[string]json.RawMessage, c *Command) *Error {
	if keys == nil {
		if err := strictUnmarshal(raw, &keys); err != nil {
			return err
		}
	}
	if keys == nil {
		return errorf(statusBadRequest, "bad_json", "a command must be a JSON object")
	}
	var kind string
	if k, ok := keys["kind"]; !ok || json.Unmarshal(k, &kind) != nil {
		return errorf(statusUnprocess, "invalid_command", "a command needs a \"kind\" string, one of %s", strings.Join(Kinds(), ", "))
	}
	want, ok := keysOf(kind)
	if !ok {
		return errorf(statusUnprocess, "invalid_command", "kind %q is not one of %s", clip(kind, 40), strings.Join(Kinds(), ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if k != "at" && k != "kind" && !slices.Contains(want, k) {
			return errorf(statusUnprocess, "invalid_command", "key %q does not apply to a %s command (it takes %s)",
				clip(k, 40), kind, strings.Join(want, ", "))
		}
	}
	if err := strictUnmarshal(raw, c); err != nil {
		return err
	}
	return c.checkForm()
}

// checkForm checks what can be checked without the twin.
func (c *Command) checkForm() *Error {
	bad := func(format string, args ...any) *Error {
		return errorf(statusUnprocess, "invalid_command", "%s: "+format, append([]any{c.Kind}, args...)...)
	}
	if !(c.At >= 0) || math.IsInf(c.At, 0) {
		return bad("at must be a time of at least 0 s, got %g", c.At)
	}
	switch c.Kind {
	case KindSetPhase:
		if c.Junction == "" || c.Phase == nil || *c.Phase < 0 {
			return bad("needs a junction and a phase index ≥ 0")
		}
	case KindFieldSignal:
		if c.Junction == "" || (c.Phase == nil) == (c.State == "") {
			return bad("needs a junction and exactly one of phase and state")
		}
		if c.Phase != nil && *c.Phase < 0 {
			return bad("phase must be ≥ 0, got %d", *c.Phase)
		}
	case KindReleaseSignal:
		if c.Junction == "" {
			return bad("needs a junction")
		}
	case KindFieldCounts:
		if !(c.Interval > 0 && c.Interval <= MaxFieldInterval) {
			return bad("interval must be in (0, %d] s, got %g", MaxFieldInterval, c.Interval)
		}
		if len(c.Counts) == 0 || len(c.Counts) > MaxFieldCounts {
			return bad("needs 1 to %d counts, got %d", MaxFieldCounts, len(c.Counts))
		}
		for i, fc := range c.Counts {
			if fc.Road == "" {
				return bad("counts[%d]: needs a road", i)
			}
			if fc.Lane != nil && *fc.Lane < 0 {
				return bad("counts[%d]: lane must be ≥ 0, got %d", i, *fc.Lane)
			}
			if !(fc.Count >= 0 && fc.Count <= MaxFieldCount) || fc.Count != math.Trunc(fc.Count) {
				return bad("counts[%d]: count must be a whole number of vehicles in [0, %g], got %g", i, MaxFieldCount, fc.Count)
			}
		}
	}
	return nil
}

// strictUnmarshal decodes one JSON value into v, refusing unknown fields
// and trailing data.
func strictUnmarshal(data []byte, v any) *Error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(statusBadRequest, "bad_json", "unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns a decoding error into a clear 400.
func jsonError(err error) *Error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errorf(statusBadRequest, "bad_json", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := strings.TrimPrefix(te.Field, "Event.")
		if field == "" {
			field = "the value"
		}
		return errorf(statusBadRequest, "bad_json", "%s: want %s, got JSON %s", field, te.Type, te.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(statusBadRequest, "bad_json", "the JSON ends early")
	}
	return errorf(statusBadRequest, "bad_json", "%s", clip(strings.TrimPrefix(err.Error(), "json: "), 200))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
