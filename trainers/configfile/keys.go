package configfile

import (
	"fmt"
	"grit/plugins"
	"reflect"
	"sort"
	"strings"

	"grit/trainers"
)

// keyKind is the type a config key expects.
type keyKind int

const (
	kindInt    keyKind = iota // int fields
	kindUint                  // uint64 fields (seed)
	kindFloat                 // float64 fields, and reward_weights.<name>
	kindBool                  // bool fields
	kindString                // string fields
	kindMap                   // env_args, reward_weights as a whole
	kindAny                   // env_args.<name>: any YAML scalar or structure
	kindGrid                  // trainers.NumberGrid fields: a list of numbers
)

func (k keyKind) String() string {
	return [...]string{"an integer", "a non-negative integer", "a number", "a boolean (true or false)",
		"a string", "a mapping of name: value", "any YAML value",
		"a list of numbers (e.g. [0.5, 1] or \"0.5,1\")"}[k]
}

// keyTable knows every valid key and its type, computed once from trainers.DefaultsMap.
type keyTable struct {
	kinds    map[string]keyKind
	sections map[string]bool // "model", "score", ...: keys that hold other keys
	ordered  []string        // valid keys, sorted
}

func newKeyTable() *keyTable {
	t := &keyTable{kinds: map[string]keyKind{}, sections: map[string]bool{}}
	for key, def := range trainers.DefaultsMap() {
		t.kinds[key] = kindOf(def)
		for i := strings.LastIndex(key, "."); i > 0; i = strings.LastIndex(key[:i], ".") {
			t.sections[key[:i]] = true
		}
	}
	t.ordered = trainers.Keys()
	return t
}

func kindOf(v any) keyKind {
	if _, ok := v.(trainers.NumberGrid); ok {
		return kindGrid
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return kindInt
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		return kindUint
	case reflect.Float64, reflect.Float32:
		return kindFloat
	case reflect.Bool:
		return kindBool
	case reflect.Map:
		return kindMap
	default:
		return kindString
	}
}

// lookup returns the kind of a dotted key, including free-form map entries (env_args.x).
func (t *keyTable) lookup(key string) (keyKind, bool) {
	if k, ok := t.kinds[key]; ok {
		return k, true
	}
	if trainers.IsMapKey(key) {
		if strings.HasPrefix(key, "reward_weights.") {
			return kindFloat, true
		}
		return kindAny, true
	}
	return 0, false
}

// unknownKey builds the error for a key that matches nothing: the closest valid key is suggested
// and all valid keys are listed, closest first.
func (t *keyTable) unknownKey(key, where string) error {
	valid := append([]string(nil), t.ordered...)
	dist := make(map[string]int, len(valid))
	for _, v := range valid {
		dist[v] = plugins.EditDistance(key, v)
	}
	if syn, ok := synonyms[key]; ok {
		dist[syn] = -1 // a known synonym is the closest key
	}
	sort.SliceStable(valid, func(i, j int) bool { return dist[valid[i]] < dist[valid[j]] })
	for i, v := range valid {
		if trainers.IsMapKey(v) {
			valid[i] = v + ".<name>"
		}
	}
	hint := ""
	if len(valid) > 0 && dist[strings.TrimSuffix(valid[0], ".<name>")] <= max(2, len(key)/3) {
		hint = fmt.Sprintf(" (did you mean %q?)", valid[0])
	}
	if t.sections[key] {
		return fmt.Errorf("%s: %q is a section, not a setting; give one of its keys%s; valid keys (closest first): %s",
			where, key, hint, strings.Join(valid, ", "))
	}
	return fmt.Errorf("%s: unknown config key %q%s; valid keys (closest first): %s",
		where, key, hint, strings.Join(valid, ", "))
}

// synonyms maps names other trainers use for a setting to grit's key: the edit distance alone
// would not find lr from learning_rate.
var synonyms = map[string]string{
	"learning_rate": "lr", "learningrate": "lr", "lr_scheduler": "lr_schedule", "scheduler": "lr_schedule",
	"warmup": "warmup_steps", "num_warmup_steps": "warmup_steps", "min_learning_rate": "min_lr",
	"max_steps": "steps", "num_steps": "steps", "total_steps": "steps", "train_steps": "steps",
	"group_size": "num_generations", "num_samples": "num_generations", "n_samples": "num_generations",
	"max_tokens": "max_new_tokens", "max_completion_length": "max_new_tokens", "max_length": "max_new_tokens",
	"batch_size": "mini_batch_size", "epochs": "num_iterations", "ppo_epochs": "num_iterations",
	"kl_coef": "beta", "kl_beta": "beta", "kl": "beta", "clip_eps": "eps_low", "epsilon": "eps_low",
	"cliprange": "eps_low", "grad_clip": "max_grad_norm", "clip_grad_norm": "max_grad_norm",
	"max_norm": "max_grad_norm", "checkpoint": "init", "init_from": "init", "model_path": "init",
	"environment": "env", "task": "env", "random_seed": "seed", "prompts": "prompts_per_step",
	"eval_interval": "eval_every", "save_every": "checkpoint_every", "save_steps": "checkpoint_every",
	"num_threads": "threads", "loss": "loss_type", "kl_estimator": "estimator",
}

// KeyFor maps a name to the config key it sets: a valid key itself (env_args.x included), or the
// key a known synonym stands for (learning_rate -> lr).
func KeyFor(name string) (string, bool) {
	if _, ok := newKeyTable().lookup(name); ok {
		return name, true
	}
	key, ok := synonyms[name]
	return key, ok
}
