package fpcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// nonPortable maps the functions of package math whose results differ
// between architectures to what to use instead.
var nonPortable = map[string]string{
	"Sin": "detmath.Sin", "Cos": "detmath.Cos", "Tan": "detmath.Tan", "Sincos": "detmath.Sin and detmath.Cos",
	"Atan": "detmath.Atan", "Atan2": "detmath.Atan2", "Exp": "detmath.Exp", "Log": "detmath.Log",
	"Pow": "detmath.Pow (or x*x for a square)", "Hypot": "detmath.Hypot",
}

// nonPortableToo are math functions detmath does not have yet.
var nonPortableToo = []string{"Asin", "Acos", "Sinh", "Cosh", "Tanh", "Asinh", "Acosh", "Atanh", "Exp2", "Expm1",
	"Log2", "Log10", "Log1p", "Cbrt", "Erf", "Erfc", "Erfinv", "Erfcinv", "Gamma", "Lgamma", "J0", "J1", "Jn", "Y0", "Y1", "Yn"}

// foreignFloat lists third-party packages whose floating-point code is
// compiled with fusion (or in assembly) and so is not portable.
var foreignFloat = map[string]string{
	"github.com/paulmach/orb/planar":  "write the geometry here under the rule (maps/geom.go has length, distance, heading)",
	"github.com/paulmach/orb/project": "maps.LocalProjection / LocalUnprojection (Mercator via detmath)",
	"github.com/paulmach/orb/geo":     "write the geometry here with detmath",
	"gonum.org/v1/gonum/stat":         "write the statistic here under the rule",
	"gonum.org/v1/gonum/floats":       "write the loop here under the rule",
	"gonum.org/v1/gonum/mat":          "write the computation here under the rule",
}

// randDraws are the methods of *rand.Rand (math/rand and math/rand/v2)
// that call math.Exp and math.Log and compare fused float32 expressions.
var randDraws = map[string]string{"NormFloat64": "detmath.NormFloat64(r)", "ExpFloat64": "detmath.ExpFloat64(r)"}

// Finding is one call that breaks the rule.
type Finding struct {
	Pos token.Position // file relative to the module root
	Msg string
}

func (f Finding) String() string { return fmt.Sprintf("%s:%d: %s", f.Pos.Filename, f.Pos.Line, f.Msg) }

// Calls parses every non-test, non-exempt Go file of the module and
// returns the calls of non-portable floating-point functions, sorted by
// position.
func Calls(root string) ([]Finding, error) {
	var out []Finding
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || exempt(rel+"/")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || exempt(rel) {
			return nil
		}
		found, err := FileCalls(root, rel)
		out = append(out, found...)
		return err
	})
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Line < b.Line
	})
	return out, err
}

// FileCalls returns the calls of non-portable floating-point functions in
// one file, rel relative to root (exempt or not).
func FileCalls(root, rel string) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join(root, filepath.FromSlash(rel)), nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	return fileCalls(fset, f, rel), nil
}

func fileCalls(fset *token.FileSet, f *ast.File, rel string) []Finding {
	imports := map[string]string{} // local name -> import path
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if strings.HasPrefix(name, "v") && strings.Contains(path, "/") { // math/rand/v2
			if _, err := strconv.Atoi(name[1:]); err == nil {
				p := strings.TrimSuffix(path, "/"+name)
				name = p[strings.LastIndex(p, "/")+1:]
			}
		}
		if im.Name != nil {
			name = im.Name.Name
		}
		imports[name] = path
	}
	var out []Finding
	add := func(n ast.Node, format string, args ...any) {
		p := fset.Position(n.Pos())
		p.Filename = rel
		out = append(out, Finding{Pos: p, Msg: fmt.Sprintf(format, args...) + " (see " + Rule + ")"})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			switch path := imports[id.Name]; {
			case path == "math":
				if use, bad := nonPortable[sel.Sel.Name]; bad {
					add(sel, "math.%s differs in its last bits between architectures (assembly on some, compiled with fused multiply-add on others): use %s from internal/detmath", sel.Sel.Name, use)
				}
				for _, fn := range nonPortableToo {
					if sel.Sel.Name == fn {
						add(sel, "math.%s differs in its last bits between architectures: add a portable %s to internal/detmath (algorithm, accuracy test, golden digest) and call that", fn, fn)
					}
				}
				return true
			case foreignFloat[path] != "":
				add(sel, "%s.%s is third-party floating-point code compiled with fused multiply-add on arm64 and others: %s", id.Name, sel.Sel.Name, foreignFloat[path])
				return true
			case path != "":
				return true // another package's exported name
			}
		}
		if use, ok := randDraws[sel.Sel.Name]; ok {
			add(sel, "%s calls math.Exp and math.Log and compares fused float32 expressions on its slow path, so draws differ between architectures: use %s", sel.Sel.Name, use)
		}
		return true
	})
	return out
}
