package rewards

import (
	"fmt"

	"grit/plugins"
)

// Factory builds a reward function from its params (config values keyed by name). It must reject
// unknown or ill-typed params with an error naming the key (plugins.Args does).
type Factory func(params map[string]any) (Func, error)

var registry = plugins.NewRegistry[Factory]("reward", "a plugin package must be imported to register its reward")

// Register makes a reward function available by name, usually from a package's init.
// Registering a name twice panics, as that is a programming error.
func Register(name string, f Factory) { registry.Register(name, f) }

// Registered lists the registered reward names, sorted.
func Registered() []string { return registry.Names() }

// New builds the reward function registered under name.
func New(name string, params map[string]any) (Func, error) {
	f, err := registry.Lookup(name)
	if err != nil {
		return nil, err
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
