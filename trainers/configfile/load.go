package configfile

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"

	"grit/trainers"
)

// EnvPrefix starts every environment variable that sets a config key: GRIT_LR sets lr,
// GRIT_SCORE_ALPHA sets score.alpha, GRIT_ENV_ARGS_DIGITS sets env_args.digits.
const EnvPrefix = "GRIT_"

// Load resolves a Config: built-in defaults < the YAML file at path (skipped when path is "") <
// GRIT_* variables in environ (os.Environ() form, "NAME=value") < sets ("key=value", later ones
// win). The result is validated; a setting out of range is reported with where it was set.
//
// Paths: a relative `init` or `env_args.path` in the file is relative to the file's folder; one
// from the defaults, the environment or --set is relative to the working directory. The result
// holds them as absolute paths, so a run folder's config.yaml works from any directory.
func Load(path string, sets []string, environ []string) (trainers.Config, error) {
	return load(path, sets, environ, true)
}

// load is Load; fileRelative=false reads the file's relative paths against the working directory
// (run folders written before paths were stored absolute).
func load(path string, sets []string, environ []string, fileRelative bool) (trainers.Config, error) {
	t := newKeyTable()
	var fileLayer, envLayer, setLayer []setting
	var err error
	if path != "" {
		if fileLayer, err = t.readFile(path); err != nil {
			return trainers.Config{}, err
		}
		if fileRelative {
			rebasePaths(fileLayer, filepath.Dir(path))
		}
	}
	if envLayer, err = t.readEnv(environ); err != nil {
		return trainers.Config{}, err
	}
	if setLayer, err = t.readSets(sets); err != nil {
		return trainers.Config{}, err
	}
	layers := [][]setting{fileLayer, envLayer, setLayer}
	cfg, err := merge(fileLayer, envLayer, setLayer)
	if err != nil {
		return trainers.Config{}, err
	}
	if err := absolutePaths(&cfg); err != nil {
		return trainers.Config{}, err
	}
	if err := checkModelWithInit(cfg, layers); err != nil {
		return trainers.Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return trainers.Config{}, locate(err, layers)
	}
	return cfg, nil
}

// locate prefixes a validation error with where its key was last set (file:line, --set or the
// environment variable); an error about a built-in default keeps "invalid config".
func locate(err error, layers [][]setting) error {
	msg := err.Error()
	key := msg[:strings.IndexAny(msg+":", ": ")]
	where := ""
	for _, layer := range layers {
		for _, s := range layer {
			if s.key == key || (strings.Contains(key, ".") && s.key == key[:strings.Index(key, ".")]) {
				where = s.where
			}
		}
	}
	if where == "" {
		return fmt.Errorf("invalid config: %w", err)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// readEnv picks the GRIT_* variables out of environ. A GRIT_ variable that matches no key is an
// error: a typo there would otherwise be silently ignored.
func (t *keyTable) readEnv(environ []string) ([]setting, error) {
	byEnvName := map[string]string{}
	for _, key := range t.ordered {
		byEnvName[envName(key)] = key
	}
	var out []setting
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		where := "environment variable " + name
		key, ok := byEnvName[name]
		if !ok {
			for _, m := range []string{"env_args", "reward_weights"} {
				if rest, found := strings.CutPrefix(name, envName(m)+"_"); found && rest != "" {
					key, ok = m+"."+strings.ToLower(rest), true
				}
			}
		}
		if !ok {
			return nil, t.unknownKey(strings.ToLower(strings.TrimPrefix(name, EnvPrefix)), where)
		}
		kind, _ := t.lookup(key)
		val, err := parseValue(key, kind, value, where)
		if err != nil {
			return nil, err
		}
		out = append(out, setting{key, val, where})
	}
	return out, nil
}

// envName is the variable that sets key: GRIT_ + upper case, dots as underscores.
func envName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// readSets parses --set key=value flags.
func (t *keyTable) readSets(sets []string) ([]setting, error) {
	var out []setting
	for _, s := range sets {
		key, value, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		where := fmt.Sprintf("--set %s", s)
		if !ok || key == "" {
			return nil, fmt.Errorf("%s: expected key=value (e.g. --set lr=3e-4)", where)
		}
		kind, known := t.lookup(key)
		if !known {
			return nil, t.unknownKey(key, where)
		}
		val, err := parseValue(key, kind, value, where)
		if err != nil {
			return nil, err
		}
		out = append(out, setting{key, val, where})
	}
	return out, nil
}

// merge layers the settings over the defaults with viper and decodes the result strictly.
// The free-form maps env_args and reward_weights are resolved by resolveMaps, not by viper.
func merge(file, env, sets []setting) (trainers.Config, error) {
	envArgs, weights, layers := resolveMaps([][]setting{file, env, sets})
	file, env, sets = layers[0], layers[1], layers[2]
	v := viper.New()
	for key, def := range trainers.DefaultsMap() {
		if !trainers.IsMapKey(key) {
			v.SetDefault(key, def)
		}
	}
	for key, def := range trainers.AlgoDefaults(algoOf(file, env, sets)) {
		v.SetDefault(key, def)
	}
	v.SetDefault("env_args", envArgs)
	v.SetDefault("reward_weights", weights)
	if err := v.MergeConfigMap(nest(file)); err != nil {
		return trainers.Config{}, err
	}
	for _, layer := range [][]setting{env, sets} { // viper's override layer; later Set wins
		for _, s := range layer {
			v.Set(s.key, s.value)
		}
	}
	var cfg trainers.Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.WeaklyTypedInput = false
		dc.ErrorUnused = true
		dc.DecodeHook = exactIntegers
	})
	if err != nil {
		return trainers.Config{}, fmt.Errorf("config does not decode: %w", err)
	}
	if cfg.EnvArgs == nil {
		cfg.EnvArgs = map[string]any{}
	}
	if cfg.RewardWeights == nil {
		cfg.RewardWeights = map[string]float64{}
	}
	return cfg, nil
}

// algoOf is the algorithm the layers choose: the last `algo` setting, else the built-in default.
func algoOf(layers ...[]setting) string {
	algo := string(trainers.Defaults().Algo)
	for _, layer := range layers {
		for _, s := range layer {
			if name, ok := s.value.(string); ok && s.key == "algo" {
				algo = name
			}
		}
	}
	return algo
}

// resolveMaps computes env_args and reward_weights over the layers (file, environment, --set),
// lowest first, and returns the layers without those settings. A layer that gives a whole map
// (env_args: {...} in a file) replaces it; env_args.x / reward_weights.x entries change one key of
// the map resolved so far. A layer that switches `env` to another env starts env_args afresh,
// since one env's settings mean nothing to another.
func resolveMaps(layers [][]setting) (envArgs map[string]any, weights map[string]any, rest [][]setting) {
	def := trainers.Defaults()
	envName := def.Env
	envArgs = map[string]any{}
	for k, v := range def.EnvArgs {
		envArgs[k] = v
	}
	weights = map[string]any{}
	for k, v := range def.RewardWeights {
		weights[k] = v
	}
	for _, layer := range layers {
		var kept []setting
		for _, s := range layer {
			if s.key == "env" {
				if name, ok := s.value.(string); ok && name != envName {
					envName = name
					envArgs = map[string]any{}
				}
			}
		}
		for _, s := range layer {
			switch {
			case s.key == "env_args":
				envArgs = copyMap(s.value)
			case strings.HasPrefix(s.key, "env_args."):
				envArgs[strings.TrimPrefix(s.key, "env_args.")] = s.value
			case s.key == "reward_weights":
				weights = copyMap(s.value)
			case strings.HasPrefix(s.key, "reward_weights."):
				weights[strings.TrimPrefix(s.key, "reward_weights.")] = s.value
			default:
				kept = append(kept, s)
			}
		}
		rest = append(rest, kept)
	}
	return envArgs, weights, rest
}

// copyMap copies a decoded YAML map (nil or not a map gives an empty one).
func copyMap(v any) map[string]any {
	out := map[string]any{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			out[k] = x
		}
	}
	return out
}

// nest turns dotted settings into the nested maps viper reads from a config file.
func nest(settings []setting) map[string]any {
	root := map[string]any{}
	for _, s := range settings {
		parts := strings.Split(s.key, ".")
		m := root
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = s.value
	}
	return root
}

// exactIntegers stops mapstructure from truncating 1.5 to 1 for integer fields (it does that even
// without weak typing); each layer is checked before this, so this is a second line of defence.
func exactIntegers(from, to reflect.Type, data any) (any, error) {
	switch to.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64:
	default:
		return data, nil
	}
	if f, ok := data.(float64); ok && f != math.Trunc(f) {
		return nil, fmt.Errorf("expected an integer, got %v", f)
	}
	return data, nil
}
