package envs

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Params are an env's settings from the config file (the `env_args` map), keyed by name.
type Params map[string]any

// Factory builds an env from its params. It must reject unknown or ill-typed params with an
// error naming the key.
type Factory func(p Params) (Env, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes an env available by name, usually from a package's init (the database/sql
// driver pattern). Registering a name twice panics, as that is a programming error.
func Register(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("envs: Register called twice for " + name)
	}
	registry[name] = f
}

// Registered lists the registered env names, sorted.
func Registered() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds the env registered under name.
func New(name string, p Params) (Env, error) {
	registryMu.RLock()
	f, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown env %q; registered envs: %s (a plugin package must be imported to register its env)",
			name, strings.Join(Registered(), ", "))
	}
	if p == nil {
		p = Params{}
	}
	e, err := f(p)
	if err != nil {
		return nil, fmt.Errorf("env %q: %w", name, err)
	}
	return e, nil
}
