// Package exports lists the exported names of this repository's public
// packages, as docs/architecture.md counts them: top-level constants,
// variables, functions and types, plus the exported methods of exported
// types; not struct fields, not interface methods, not test files.
//
// It reads the source with go/parser alone, so it covers every module of the
// repository (the adapters, cache/redis, otel) without importing them. Its
// test keeps the generated section of docs/architecture.md equal to the
// code; `go test ./internal/exports -update` rewrites that section.
package exports

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// Package is one public package and its exported names.
type Package struct {
	Dir   string   // slash-separated, relative to the repository root
	Name  string   // the package clause's name
	Names []string // sorted; a method is written Type.Method
}

// private lists the top-level directories whose modules are for this
// repository's own use (examples, test suites, tools), not for users.
var private = []string{"bench", "cmd", "examples", "interop", "scripts"}

// Packages returns every public package under root, sorted by directory: a
// directory with Go files that is not a command, not under internal/ or
// testdata/, and not in one of the private top-level directories.
func Packages(root string) ([]Package, error) {
	var pkgs []Package
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "." && skipDir(rel, d.Name()) {
			return filepath.SkipDir
		}
		p, ok, err := Read(path)
		if err != nil || !ok || p.Name == "main" {
			return err
		}
		p.Dir = rel
		pkgs = append(pkgs, p)
		return nil
	})
	return pkgs, err
}

func skipDir(rel, name string) bool {
	if name == "internal" || name == "testdata" || name == "node_modules" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	return !strings.Contains(rel, "/") && slices.Contains(private, rel)
}

// Read parses the package in dir (its non-test files for the current
// platform) and returns its exported names; ok is false when dir holds no
// such file.
func Read(dir string) (p Package, ok bool, err error) {
	bp, err := build.ImportDir(dir, 0)
	if _, none := err.(*build.NoGoError); none {
		return Package{}, false, nil
	}
	if err != nil {
		return Package{}, false, err
	}
	fset := token.NewFileSet()
	names := map[string]bool{}
	for _, f := range bp.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			return Package{}, false, err
		}
		for _, n := range declared(file) {
			names[n] = true
		}
	}
	p = Package{Name: bp.Name}
	for n := range names {
		p.Names = append(p.Names, n)
	}
	slices.Sort(p.Names)
	return p, true, nil
}

// declared returns the exported names one file declares, by the method in
// the package comment.
func declared(file *ast.File) []string {
	var out []string
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				out = append(out, d.Name.Name)
			} else if recv := receiverType(d.Recv); ast.IsExported(recv) {
				out = append(out, recv+"."+d.Name.Name)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						out = append(out, s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

// receiverType returns the name of a method's receiver type: T for T, *T,
// T[K] and *T[K].
func receiverType(recv *ast.FieldList) string {
	if recv == nil || len(recv.List) == 0 {
		return ""
	}
	t := recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return "" // no other form parses
		}
	}
}
