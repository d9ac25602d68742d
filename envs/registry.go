package envs

import (
	"fmt"

	"grit/plugins"
)

// Params are an env's settings from the config file (the `env_args` map), keyed by name.
type Params map[string]any

// Factory builds an env from its params. It must reject unknown or ill-typed params with an
// error naming the key (plugins.Args does).
type Factory func(p Params) (Env, error)

var registry = plugins.NewRegistry[Factory]("env", "a plugin package must be imported to register its env")

// Register makes an env available by name, usually from a package's init. Registering a name
// twice panics, as that is a programming error.
func Register(name string, f Factory) { registry.Register(name, f) }

// Registered lists the registered env names, sorted.
func Registered() []string { return registry.Names() }

// New builds the env registered under name.
func New(name string, p Params) (Env, error) {
	f, err := registry.Lookup(name)
	if err != nil {
		return nil, err
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
