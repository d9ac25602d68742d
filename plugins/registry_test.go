package plugins

import (
	"strings"
	"testing"
)

func TestRegistryLooksUpAndListsSorted(t *testing.T) {
	r := NewRegistry[func() int]("widget", "import the package that registers it")
	r.Register("b", func() int { return 2 })
	r.Register("a", func() int { return 1 })
	if got := strings.Join(r.Names(), ","); got != "a,b" {
		t.Fatalf("Names() = %s, want a,b", got)
	}
	f, err := r.Lookup("b")
	if err != nil {
		t.Fatal(err)
	}
	if got := f(); got != 2 {
		t.Fatalf("Lookup(b) gave the factory returning %d, want 2", got)
	}
	_, err = r.Lookup("c")
	want := `unknown widget "c"; registered: a, b; import the package that registers it`
	if err == nil || err.Error() != want {
		t.Fatalf("Lookup(c) error %v, want %q", err, want)
	}
}

func TestRegistryPanicsOnProgrammingErrors(t *testing.T) {
	r := NewRegistry[func()]("widget", "")
	r.Register("a", func() {})
	cases := map[string]func(){
		"duplicate":  func() { r.Register("a", func() {}) },
		"nil":        func() { r.Register("b", nil) },
		"empty name": func() { r.Register("", func() {}) },
	}
	for name, register := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("did not panic")
				}
			}()
			register()
		})
	}
	if got := strings.Join(r.Names(), ","); got != "a" {
		t.Fatalf("a refused registration changed the registry: %s", got)
	}
}
