package fpcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Rule is where the rule is written down; every message ends with it.
const Rule = "the floating-point rule in engine/doc.go"

// Exempt lists the module files (slash-separated, relative to the module
// root) and folders (ending in "/") that affect no result, with why.
var Exempt = map[string]string{
	"render/":              "draws pictures; no result depends on it",
	"cmd/citytwin-view/":   "the desktop viewer",
	"experiments/plots.go": "plot layout (axes, offsets, legends) only",
}

// exempt reports whether rel (slash-separated, relative to the module
// root) is exempt.
func exempt(rel string) bool {
	for k := range Exempt {
		if rel == k || strings.HasSuffix(k, "/") && strings.HasPrefix(rel, k) {
			return true
		}
	}
	return false
}

// Root returns the module root of the working directory.
func Root() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Packages returns the import paths of the module's packages that the
// check covers (every package with a non-exempt, non-test Go file).
func Packages(root string) ([]string, error) {
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Dir}}", "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list ./...: %w", err)
	}
	var pkgs []string
	for _, ln := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, dir, _ := strings.Cut(ln, " ")
		rel, err := filepath.Rel(root, dir)
		if err != nil {
			return nil, err
		}
		if !exempt(filepath.ToSlash(rel) + "/") {
			pkgs = append(pkgs, path)
		}
	}
	return pkgs, nil
}

// Site is one fused multiply-add instruction in a results package.
type Site struct {
	File string // relative to the module root, slash-separated
	Line int
	Arch string // e.g. "arm64", "amd64.v3"
	Op   string // e.g. "FMADDD"
}

// fusedOp matches the fused multiply-add mnemonics of every architecture
// Go fuses on: FMADDD, FNMSUBS (arm64, riscv64, loong64), FMADD, FMSUBS
// (ppc64, s390x), VFMADD231SD (amd64.v3).
var fusedOp = regexp.MustCompile(`^V?FN?M(ADD|SUB)[0-9A-Z]*$`)

// asmLine matches a line of the compiler's -S listing:
// "\t0x0060 00096 (/path/file.go:42)\tFMSUBD\tF5, F6, F0, F6".
var asmLine = regexp.MustCompile(`^\s+0x[0-9a-f]+ \d+ \((.+\.go):(\d+)\)\s+(\S+)`)

// Fused compiles pkgs for arch ("arm64", or "amd64.v3" for GOAMD64=v3)
// with -S and returns every fused multiply-add instruction whose source
// line is in a non-exempt file of the module, sorted and without
// duplicates. The build cache keeps the listing, so a second call is
// fast.
func Fused(root, arch string, pkgs []string) ([]Site, error) {
	goarch, level, _ := strings.Cut(arch, ".")
	modPath, err := exec.Command("go", "list", "-m").Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %w", err)
	}
	args := append([]string{"build", "-o", os.DevNull, "-gcflags=" + strings.TrimSpace(string(modPath)) + "/...=-S"}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
	if level != "" {
		cmd.Env = append(cmd.Env, "GO"+strings.ToUpper(goarch)+"="+level)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("GOARCH=%s go build -gcflags=-S: %v\n%s", arch, err, tail(stderr.String(), 2000))
	}
	seen := map[Site]bool{}
	var sites []Site
	sc := bufio.NewScanner(&stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := asmLine.FindStringSubmatch(sc.Text())
		if m == nil || !fusedOp.MatchString(m[3]) {
			continue
		}
		rel, err := filepath.Rel(root, m[1])
		if err != nil || strings.HasPrefix(rel, "..") {
			continue // inlined from the standard library or a dependency
		}
		rel = filepath.ToSlash(rel)
		if exempt(rel) {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		s := Site{File: rel, Line: line, Arch: arch, Op: m[3]}
		if !seen[s] {
			seen[s] = true
			sites = append(sites, s)
		}
	}
	sort.Slice(sites, func(i, j int) bool {
		a, b := sites[i], sites[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Op < b.Op
	})
	return sites, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// Fix is a suggested rewrite of one expression: the products to wrap,
// as byte offsets in the file, and the expression before and after.
type Fix struct {
	Pos      token.Position
	Old, New string
	Wrap     [][2]int // [start, end) offsets of each product to convert
}

// Fixes returns, for line of file (relative to root), every addition or
// subtraction on that line (outermost first, nested ones included in it)
// with a product or quotient operand not yet converted (the compiler
// turns x/2 into x*0.5 and fuses that too), and the expression with each
// such product wrapped in conv(…) ("float64", or "float32" for single
// precision). A fused instruction whose product comes from another
// statement gives no fix: convert that variable where it is used,
// x - float64(p).
func Fixes(root, file string, line int, conv string) ([]Fix, error) {
	path := filepath.Join(root, file)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, 0)
	if err != nil {
		return nil, err
	}
	unparen := func(e ast.Expr) ast.Expr {
		for {
			p, ok := e.(*ast.ParenExpr)
			if !ok {
				return e
			}
			e = p.X
		}
	}
	isAddSub := func(e ast.Expr) (*ast.BinaryExpr, bool) {
		b, ok := unparen(e).(*ast.BinaryExpr)
		return b, ok && (b.Op == token.ADD || b.Op == token.SUB)
	}
	// products collects the unconverted product operands of the +/- tree
	// rooted at e.
	var products func(e ast.Expr, out *[]ast.Expr)
	products = func(e ast.Expr, out *[]ast.Expr) {
		b, ok := isAddSub(e)
		if !ok {
			return
		}
		for _, x := range []ast.Expr{b.X, b.Y} {
			if m, ok := unparen(x).(*ast.BinaryExpr); ok && isProduct(m) {
				*out = append(*out, m)
			} else {
				products(x, out)
			}
		}
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	mk := func(n ast.Node, prods []ast.Expr) Fix {
		a, b := off(n.Pos()), off(n.End())
		fx := Fix{Pos: fset.Position(n.Pos()), Old: string(src[a:b])}
		var nb strings.Builder
		last := a
		for _, m := range prods {
			ma, mb := off(m.Pos()), off(m.End())
			nb.Write(src[last:ma])
			nb.WriteString(conv + "(" + string(src[ma:mb]) + ")")
			last = mb
			fx.Wrap = append(fx.Wrap, [2]int{ma, mb})
		}
		nb.Write(src[last:b])
		fx.New = nb.String()
		return fx
	}
	var fixes []Fix
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if (n.Op != token.ADD && n.Op != token.SUB) || fset.Position(n.OpPos).Line != line {
				return true
			}
			var prods []ast.Expr
			products(n, &prods)
			if len(prods) == 0 {
				return true
			}
			fixes = append(fixes, mk(n, prods))
			return false // the nested ones are in this fix
		case *ast.AssignStmt:
			if (n.Tok != token.ADD_ASSIGN && n.Tok != token.SUB_ASSIGN) || fset.Position(n.TokPos).Line != line || len(n.Rhs) != 1 {
				return true
			}
			var prods []ast.Expr
			if m, ok := unparen(n.Rhs[0]).(*ast.BinaryExpr); ok && isProduct(m) {
				prods = append(prods, m)
			} else {
				products(n.Rhs[0], &prods)
			}
			if len(prods) > 0 {
				fixes = append(fixes, mk(n, prods))
				return false
			}
		}
		return true
	})
	sort.Slice(fixes, func(i, j int) bool { return fixes[i].Pos.Offset < fixes[j].Pos.Offset })
	return fixes, nil
}

// isProduct reports whether b is a product, or a quotient by a constant
// (the compiler turns x/2 into x*0.5, and fuses that too).
func isProduct(b *ast.BinaryExpr) bool {
	if b.Op == token.MUL {
		return true
	}
	_, lit := b.Y.(*ast.BasicLit)
	return b.Op == token.QUO && lit
}

// Advice is the message for a fused site: what to change, where, and why.
func Advice(root string, s Site) string {
	conv := "float64"
	if strings.HasSuffix(s.Op, "S") && !strings.HasSuffix(s.Op, "SD") || strings.HasSuffix(s.Op, "SS") || strings.HasSuffix(s.Op, "F") {
		conv = "float32"
	}
	head := fmt.Sprintf("%s:%d: the compiler fuses a multiply and an add here on %s (%s), so results differ from amd64's", s.File, s.Line, s.Arch, s.Op)
	fixes, err := Fixes(root, s.File, s.Line, conv)
	if err != nil || len(fixes) == 0 {
		return head + fmt.Sprintf(": convert the product that is added or subtracted on this line, %s(x*y), also when it was computed in another statement (p := %s(a*b), or x - %s(p)), and also when it is doubled (2*p is compiled as p+p); see %s", conv, conv, conv, Rule)
	}
	var b strings.Builder
	b.WriteString(head + ": write")
	for i, f := range fixes {
		if i > 0 {
			b.WriteString(" and")
		}
		fmt.Fprintf(&b, "\n\t%s\nas\n\t%s", f.Old, f.New)
	}
	fmt.Fprintf(&b, "\n(see %s)", Rule)
	return b.String()
}
