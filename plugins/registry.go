package plugins

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// A Registry maps names to factories of type F. Packages fill it from init (the database/sql
// driver pattern) and configs pick from it by name. It is safe for concurrent use.
type Registry[F any] struct {
	what   string // what a name names, for messages: "env", "reward", "model_type", ...
	hint   string // how to make a missing name available, for the unknown-name error
	mu     sync.RWMutex
	byName map[string]F
}

// NewRegistry makes an empty registry. what says what a name names ("env"); hint tells the user
// how to make a missing name available ("import the package that registers it").
func NewRegistry[F any](what, hint string) *Registry[F] {
	return &Registry[F]{what: what, hint: hint, byName: map[string]F{}}
}

// Register makes f available under name. An empty name, a nil f or a name registered twice is a
// programming error and panics.
func (r *Registry[F]) Register(name string, f F) {
	if name == "" || isNil(f) {
		panic(fmt.Sprintf("plugins: Register(%q) for a %s: empty name or nil factory", name, r.what))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byName[name]; dup {
		panic(fmt.Sprintf("plugins: %s %q registered twice", r.what, name))
	}
	r.byName[name] = f
}

// Names lists the registered names, sorted.
func (r *Registry[F]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the factory registered under name, or an error that lists the registered names
// and says how to add one.
func (r *Registry[F]) Lookup(name string) (F, error) {
	r.mu.RLock()
	f, ok := r.byName[name]
	r.mu.RUnlock()
	if !ok {
		return f, fmt.Errorf("unknown %s %q; registered: %s; %s", r.what, name, strings.Join(r.Names(), ", "), r.hint)
	}
	return f, nil
}

// isNil reports whether v is a nil func, pointer, map, ... (or a nil interface).
func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Func, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
