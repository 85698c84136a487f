package experiments

import "github.com/citytwin/citytwin/scenarios"

// joinKey appends key k to the dotted path p as scenarios does.
func joinKey(p, k string) string { return scenarios.JoinKey(p, k) }

// isBare reports whether r may appear in a bare TOML key.
func isBare(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-'
}
