package rewards

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Factory builds a reward function from its params (config values keyed by name).
type Factory func(params map[string]any) (Func, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Factory{}
)

// Register makes a reward function available by name, usually from a package's init.
// Registering a name twice panics, as that is a programming error.
func Register(name string, f Factory) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("rewards: Register called twice for " + name)
	}
	registry[name] = f
}

// Registered lists the registered reward names, sorted.
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

// New builds the reward function registered under name.
func New(name string, params map[string]any) (Func, error) {
	registryMu.RLock()
	f, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("unknown reward %q; registered rewards: %s", name, strings.Join(Registered(), ", "))
	}
	if params == nil {
		params = map[string]any{}
	}
	fn, err := f(params)
	if err != nil {
		return nil, fmt.Errorf("reward %q: %w", name, err)
	}
	return fn, nil
}
