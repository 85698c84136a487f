// Package tomlkit holds what the strict TOML readers of scenarios and
// experiments share: naming a decoded value's type, the line of a parse
// error, ordering problems by line and formatting them, so that both
// report problems the same way ("pkg: file:line: key: message").
package tomlkit

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// TypeName names the TOML type of a value decoded into an any ("integer
// 3", "string \"x\"", "table" ...), for messages such as "want a number,
// got string \"x\"".
func TypeName(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 40 {
			return "long string"
		}
		return fmt.Sprintf("string %q", v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return fmt.Sprintf("float %g", v)
	case bool:
		return fmt.Sprintf("boolean %t", v)
	case time.Time:
		return "datetime"
	case map[string]any:
		return "table"
	case []map[string]any:
		return "array of tables"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// DecodeError returns the line (from 1; 0 when unknown) and the message
// of an error the TOML library returned for src.
func DecodeError(src string, err error) (line int, msg string) {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line = pe.Position.Line
		if p := pe.Position; p.Len > 0 && 0 <= p.Start && p.Start < len(src) {
			// The library counts an error at a line break on the next line.
			line = 1 + strings.Count(src[:p.Start], "\n")
		}
		return line, pe.Message
	}
	return 0, strings.TrimPrefix(err.Error(), "toml: ")
}

// Format formats a problem as "pkg: file:line: context key: msg", leaving
// out the parts that are empty (line 0 is unknown).
func Format(pkg, file string, line int, context, key, msg string) string {
	var b strings.Builder
	b.WriteString(pkg + ": ")
	if file != "" {
		b.WriteString(file)
		if line > 0 {
			fmt.Fprintf(&b, ":%d", line)
		}
		b.WriteString(": ")
	}
	if context != "" {
		b.WriteString(context + ": ")
	}
	if key != "" {
		b.WriteString(key + ": ")
	}
	b.WriteString(msg)
	return b.String()
}

// SortByLine orders problems by the line lineOf gives them (0: unknown),
// those without a line last, keeping the order of equal lines.
func SortByLine(probs []error, lineOf func(error) int) {
	at := func(err error) int {
		if l := lineOf(err); l > 0 {
			return l
		}
		return math.MaxInt
	}
	slices.SortStableFunc(probs, func(a, b error) int { return cmp.Compare(at(a), at(b)) })
}
