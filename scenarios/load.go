package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/citytwin/citytwin/internal/limitio"
	"github.com/citytwin/citytwin/internal/tomlkit"
)

// An Error is one problem with a scenario. Parse and Validate (and Load,
// once it has read the file) return every problem they find, joined with
// [errors.Join]; use [errors.As] to get the first, or the Unwrap() []error
// method of the returned error to get them all.
type Error struct {
	File string // file name as given to Load or Parse; empty for a Scenario built in code
	Line int    // line in File (from 1), or 0 when not known
	Key  string // key path such as "vtypes[1].length", or empty
	Msg  string // what is wrong
	Err  error  // underlying error, such as a toml.ParseError, or nil
}

// Error formats the problem as "scenarios: file:line: key: message",
// leaving out the parts that are not known.
func (e *Error) Error() string { return tomlkit.Format("scenarios", e.File, e.Line, "", e.Key, e.Msg) }

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Load reads, completes and checks the scenario file at path; see Parse.
func Load(path string) (*Scenario, error) {
	data, err := limitio.ReadFile(path, MaxScenarioBytes)
	if err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a TOML scenario, applies the defaults and validates it.
// name is the file the data came from: it labels error messages, gives
// the default scenario name, and is the base against which Resolve
// interprets relative paths.
//
// Decoding is strict: keys the format does not know and values of the
// wrong type are errors. All such problems are reported together, each as
// an [*Error] with the line and key path; if there are none, Parse returns
// the problems Validate finds. It never panics.
func Parse(data []byte, name string) (s *Scenario, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, &Error{File: name, Msg: fmt.Sprintf("cannot decode: %v", r)}
		}
	}()
	if len(data) > MaxScenarioBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("%d bytes: a scenario file may have at most %d", len(data), MaxScenarioBytes)}
	}
	if line, ok := checkDepth(data); !ok {
		return nil, &Error{File: name, Line: line, Msg: fmt.Sprintf("arrays and inline tables nest deeper than %d levels", MaxTOMLDepth)}
	}
	src := string(data)

	// Decode once into a generic tree to check keys and types ourselves,
	// so that every problem comes out at once with its exact key path.
	var tree map[string]any
	if _, err := toml.Decode(src, &tree); err != nil {
		return nil, tomlError(name, src, "invalid TOML: ", err)
	}
	lines := keyLines(src)
	var probs []error
	checkTree(tree, reflect.TypeFor[Scenario](), "", func(key, msg string) {
		probs = append(probs, &Error{File: name, Line: lines[key], Key: key, Msg: msg})
	})
	if len(probs) > 0 {
		tomlkit.SortByLine(probs, func(err error) int { return err.(*Error).Line })
		return nil, errors.Join(probs...)
	}

	sum := sha256.Sum256(data)
	s = &Scenario{path: name, lines: lines, sum: hex.EncodeToString(sum[:])}
	if _, err := toml.Decode(src, s); err != nil {
		return nil, tomlError(name, src, "", err) // a case checkTree missed
	}
	if err := s.Signals.decodeParams(src); err != nil {
		return nil, tomlError(name, src, "", err)
	}
	s.ApplyDefaults()
	replacedZeros(tree, reflect.ValueOf(s).Elem(), "", func(key string, def reflect.Value) {
		msg, ok := zeroKeys[key]
		if !ok {
			msg = fmt.Sprintf("must not be 0 (leave the key out for the default %v)", def.Interface())
		}
		probs = append(probs, &Error{File: name, Line: lines[key], Key: key, Msg: msg})
	})
	if err := s.Validate(); err != nil {
		probs = append(probs, err.(interface{ Unwrap() []error }).Unwrap()...)
	}
	if len(probs) > 0 {
		return nil, errors.Join(probs...)
	}
	return s, nil
}

// zeroKeys are messages for keys of replacedZeros that say more than the
// generic one.
var zeroKeys = map[string]string{
	"step":            fmt.Sprintf("must be in [%g, %g] s, got 0 (leave it out for the default %g)", MinStep, MaxStep, DefaultStep),
	"output.interval": fmt.Sprintf("must be a positive whole number of steps, got 0 (leave it out for the default %g s)", DefaultOutputInterval),
}

// replacedZeros reports through bad every number the decoded TOML tree
// sets to 0 whose field in v (the scenario after ApplyDefaults) holds
// another value: a key for which 0 is not allowed, so that its zero value
// means "unset" and ApplyDefaults replaced the 0 written in the file by
// the default. (Keys whose allowed values include 0 are pointers and keep
// it.) path is the key path of tree; def is the value that replaced the 0.
func replacedZeros(tree any, v reflect.Value, path string, bad func(key string, def reflect.Value)) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		m, ok := tree.(map[string]any)
		if !ok {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if f, ok := fieldByTag(v.Type(), k); ok {
				replacedZeros(m[k], v.FieldByIndex(f.Index), joinKey(path, k), bad)
			} else if fv, ok := extraTable(v, k); ok {
				replacedZeros(m[k], fv, joinKey(path, k), bad)
			}
		}
	case reflect.Slice:
		rv := reflect.ValueOf(tree)
		if rv.Kind() != reflect.Slice {
			return
		}
		for i := range min(rv.Len(), v.Len()) {
			replacedZeros(rv.Index(i).Interface(), v.Index(i), fmt.Sprintf("%s[%d]", path, i), bad)
		}
	case reflect.Float64, reflect.Int, reflect.Uint64:
		isZero := tree == int64(0) || tree == float64(0)
		if isZero && !v.IsZero() {
			bad(path, v)
		}
	}
}

// extraTable returns the value of a table that struct v holds besides its
// fields (a policy's parameters in Signals), if any.
func extraTable(v reflect.Value, key string) (reflect.Value, bool) {
	if g, ok := v.Addr().Interface().(*Signals); ok {
		if p, ok := g.Params[key]; ok {
			return reflect.ValueOf(p), true
		}
	}
	return reflect.Value{}, false
}

// extraTableType returns the type of a table that struct type t has
// besides its fields (a registered policy's parameters in Signals).
func extraTableType(t reflect.Type, key string) (reflect.Type, bool) {
	if t == reflect.TypeFor[Signals]() {
		if d, ok := policyByName(key); ok {
			return d.typ, true
		}
	}
	return nil, false
}

// decodeParams decodes the policy tables [signals.NAME] of a scenario's
// TOML text into g.Params (keys and types have been checked).
func (g *Signals) decodeParams(src string) error {
	var tables struct {
		Signals map[string]toml.Primitive `toml:"signals"`
	}
	md, err := toml.Decode(src, &tables)
	if err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(tables.Signals)) {
		if d, ok := policyByName(k); ok {
			if err := md.PrimitiveDecode(tables.Signals[k], g.params(d)); err != nil {
				return err
			}
		}
	}
	return nil
}

// tomlError converts an error of the TOML library about src to an *Error
// whose message starts with prefix.
func tomlError(name, src, prefix string, err error) error {
	line, msg := tomlkit.DecodeError(src, err)
	return &Error{File: name, Line: line, Msg: prefix + msg, Err: err}
}

// Path returns the file name the scenario was read from, as given to Load
// or Parse, or "" for a scenario built in code.
func (s *Scenario) Path() string { return s.path }

// Resolve returns the file a path written in the scenario refers to: rel
// itself if it is absolute, empty or a built-in file (BuiltinPrefix),
// otherwise rel joined to the directory of the scenario file.
func (s *Scenario) Resolve(rel string) string {
	if _, builtin := builtinName(rel); rel == "" || builtin || filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(filepath.Dir(s.path), rel)
}

// checkTree reports, through bad, every key of the decoded TOML value v
// that has no field in type t, and every value whose TOML type does not
// fit its field. path is the key path of v.
func checkTree(v any, t reflect.Type, path string, bad func(key, msg string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	want := func(what string) { bad(path, fmt.Sprintf("want %s, got %s", what, tomlkit.TypeName(v))) }
	if t == reflect.TypeFor[Paths]() {
		ok := true
		switch v := v.(type) {
		case string:
		case []any:
			for _, x := range v {
				_, isStr := x.(string)
				ok = ok && isStr
			}
		default:
			ok = false
		}
		if !ok {
			want("a path or an array of paths")
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			want("a table")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if f, ok := fieldByTag(t, k); ok {
				checkTree(m[k], f.Type, joinKey(path, k), bad)
			} else if et, ok := extraTableType(t, k); ok {
				checkTree(m[k], et, joinKey(path, k), bad)
			} else {
				bad(joinKey(path, k), "unknown key")
			}
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			want("a table")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			checkTree(m[k], t.Elem(), joinKey(path, k), bad)
		}
	case reflect.Slice:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice {
			want("an array")
			return
		}
		for i := range rv.Len() {
			checkTree(rv.Index(i).Interface(), t.Elem(), fmt.Sprintf("%s[%d]", path, i), bad)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			want("a string")
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			want("a boolean")
		}
	case reflect.Float64:
		switch n := v.(type) {
		case float64:
		case int64:
			if n > 1<<53 || n < -1<<53 { // the library refuses to round these
				bad(path, fmt.Sprintf("integer %d is too large to be exact; write it as a float", n))
			}
		default:
			want("a number")
		}
	case reflect.Int:
		if _, ok := v.(int64); !ok {
			want("an integer")
		}
	case reflect.Uint64:
		if n, ok := v.(int64); !ok || n < 0 {
			want("a non-negative integer")
		}
	default:
		bad(path, "unsupported field type "+t.String()) // a bug in Scenario
	}
}

// fieldByTag returns the field of struct type t whose toml tag is key.
func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("toml"), ","); name == key && name != "-" && f.IsExported() {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// joinKey appends key k to key path p, quoting k if it is not a bare key.
func joinKey(p, k string) string {
	if k == "" || strings.ContainsFunc(k, func(r rune) bool { return !isBare(r) }) {
		k = strconv.Quote(k)
	}
	if p == "" {
		return k
	}
	return p + "." + k
}

func isBare(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-'
}
