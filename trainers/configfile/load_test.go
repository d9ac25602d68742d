package configfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"grit/trainers"
)

// writeConfig writes a YAML config into a temp dir and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cfg.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestShippedGRPOConfigEqualsDefaults(t *testing.T) {
	const path = "../../configs/grpo.yaml"
	got, err := Load(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := trainers.Defaults()
	want.Init = absPath(t, "../../configs/base/arithmetic") // init: base/arithmetic, relative to the file
	if !reflect.DeepEqual(got, want) {
		t.Errorf("configs/grpo.yaml differs from trainers.Defaults():\n got %+v\nwant %+v", got, want)
	}
	// The file must spell out every key, not just agree where it is silent.
	settings, err := newKeyTable().readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inFile := map[string]bool{}
	for _, s := range settings {
		inFile[s.key] = true
	}
	for _, key := range trainers.Keys() {
		if !inFile[key] {
			t.Errorf("configs/grpo.yaml does not spell out key %q", key)
		}
	}
}

func TestOtherShippedConfigsLoad(t *testing.T) {
	paths, _ := filepath.Glob("../../configs/*.yaml")
	ci, _ := filepath.Glob("../../configs/ci/*.yaml")
	paths = append(paths, ci...)
	if len(paths) < 8 {
		t.Fatalf("found only %d shipped configs: %v", len(paths), paths)
	}
	for _, path := range paths {
		if _, err := Load(path, nil, nil); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestPrecedenceDefaultsFileEnvSet(t *testing.T) {
	file := writeConfig(t, `
algo: grpo
lr: 1.0e-3
steps: 10
score:
  alpha: 5
env_args:
  digits: 2
  mode: add
`)
	env := []string{"HOME=/x", "GRIT_LR=2e-3", "GRIT_SCORE_ALPHA=7", "GRIT_ENV_ARGS_DIGITS=3"}
	sets := []string{"lr=3e-3"}

	def := trainers.Defaults()
	onlyFile, err := Load(file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fileEnv, err := Load(file, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	all, err := Load(file, sets, env)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		got, want any
	}{
		{"file over defaults: steps", onlyFile.Steps, 10},
		{"file over defaults: lr", onlyFile.LR, 1e-3},
		{"file over defaults: score.alpha", onlyFile.SCoRe.Alpha, 5.0},
		{"defaults where file is silent: seed", onlyFile.Seed, def.Seed},
		{"defaults where file is silent: score.beta1", onlyFile.SCoRe.Beta1, def.SCoRe.Beta1},
		{"env over file: lr", fileEnv.LR, 2e-3},
		{"env over file: score.alpha", fileEnv.SCoRe.Alpha, 7.0},
		{"env over file: env_args.digits", fileEnv.EnvArgs["digits"], 3},
		{"file entries the env leaves alone: env_args.mode", fileEnv.EnvArgs["mode"], "add"},
		{"file where env is silent: steps", fileEnv.Steps, 10},
		{"set over env: lr", all.LR, 3e-3},
		{"env where set is silent: score.alpha", all.SCoRe.Alpha, 7.0},
	}
	for _, c := range cases {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestSetTypesAndMapKeys(t *testing.T) {
	cfg, err := Load("", []string{
		"steps=7", "temperature=0.5", "dynamic_sampling=true", "seed=42", "init=",
		"env_args.digits=4", "env_args.ops=[+, -]", "env_args.name=abc",
		"reward_weights.format=0.25", "algo=sft", "algo=nft", // later sets win
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Steps != 7 || cfg.Temperature != 0.5 || !cfg.DynamicSampling || cfg.Seed != 42 || cfg.Init != "" || cfg.Algo != "nft" {
		t.Errorf("scalar sets not applied: %+v", cfg)
	}
	// --set env_args.x changes one key of the default env's settings.
	wantArgs := map[string]any{"digits": 4, "ops": []any{"+", "-"}, "name": "abc"}
	for k, v := range trainers.Defaults().EnvArgs {
		wantArgs[k] = v
	}
	if !reflect.DeepEqual(cfg.EnvArgs, wantArgs) {
		t.Errorf("env_args = %#v, want %#v", cfg.EnvArgs, wantArgs)
	}
	if !reflect.DeepEqual(cfg.RewardWeights, map[string]float64{"format": 0.25}) {
		t.Errorf("reward_weights = %#v", cfg.RewardWeights)
	}
}

func TestFileAlgoAndIntegralFloat(t *testing.T) {
	cfg, err := Load(writeConfig(t, "algo: sft\nsteps: 1e3\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Algo != "sft" || cfg.Steps != 1000 {
		t.Errorf("algo %q steps %d, want sft 1000", cfg.Algo, cfg.Steps)
	}
	cfg, err = Load(writeConfig(t, "algo: sft\n"), []string{"algo=score"}, nil)
	if err != nil || cfg.Algo != "score" {
		t.Errorf("--algo (as set) should override the file's algo: %q, %v", cfg.Algo, err)
	}
}

// wantErr asserts that err is non-nil and mentions every fragment.
func wantErr(t *testing.T, what string, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", what, fragments)
		return
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q does not mention %q", what, err, f)
		}
	}
}

func TestUnknownKeysInEveryLayer(t *testing.T) {
	path := writeConfig(t, "steps: 3\nlrr: 0.1\n")
	_, err := Load(path, nil, nil)
	wantErr(t, "file", err, path+":2", `"lrr"`, `did you mean "lr"`, "valid keys", "score.alpha")

	_, err = Load(writeConfig(t, "score:\n  alpah: 3\n"), nil, nil)
	wantErr(t, "file section", err, `"score.alpah"`, `did you mean "score.alpha"`)

	_, err = Load("", nil, []string{"GRIT_STEPZ=3"})
	wantErr(t, "env", err, "GRIT_STEPZ", `"stepz"`, `did you mean "steps"`)

	_, err = Load("", []string{"temprature=0.3"}, nil)
	wantErr(t, "set", err, "--set temprature=0.3", `did you mean "temperature"`)

	_, err = Load("", []string{"model=3"}, nil)
	wantErr(t, "set on a section", err, "section")

	_, err = Load(writeConfig(t, "model: 3\n"), nil, nil)
	wantErr(t, "file scalar for a section", err, "model is a section")

	_, err = Load("", []string{"lr"}, nil)
	wantErr(t, "set without =", err, "key=value")
}

func TestWrongTypes(t *testing.T) {
	cases := []struct {
		name, file string
		sets, env  []string
		fragments  []string
	}{
		{"lr: fast", "lr: fast\n", nil, nil, []string{"lr", "a number", `"fast"`, ":1"}},
		{"steps: 1.5", "steps: 1.5\n", nil, nil, []string{"steps", "an integer", "1.5"}},
		{"bool as yes", "dynamic_sampling: yes\n", nil, nil, []string{"dynamic_sampling", "boolean"}},
		{"negative seed", "seed: -1\n", nil, nil, []string{"seed", "non-negative integer"}},
		{"algo as number", "algo: 3\n", nil, nil, []string{"algo", "a string"}},
		{"list for a number", "lr: [1, 2]\n", nil, nil, []string{"lr", "a list"}},
		{"reward weight not a number", "reward_weights: {correct: high}\n", nil, nil, []string{"reward_weights.correct", "a number"}},
		{"env_args not a mapping", "env_args: 3\n", nil, nil, []string{"env_args", "mapping"}},
		{"env int", "", nil, []string{"GRIT_STEPS=abc"}, []string{"GRIT_STEPS", "steps", "an integer"}},
		{"set float for int", "", []string{"steps=1.5"}, nil, []string{"--set steps=1.5", "an integer"}},
		{"set bool", "", []string{"mask_truncated=maybe"}, nil, []string{"mask_truncated", "boolean"}},
		{"set reward weight", "", []string{"reward_weights.format=high"}, nil, []string{"reward_weights.format", "a number"}},
	}
	for _, c := range cases {
		path := ""
		if c.file != "" {
			path = writeConfig(t, c.file)
		}
		_, err := Load(path, c.sets, c.env)
		wantErr(t, c.name, err, c.fragments...)
	}
}

func TestYAMLSyntaxErrorNamesFileAndLine(t *testing.T) {
	path := writeConfig(t, "steps: 3\nlr: 0.1\nmodel:\n  d_model: [64\n  n_heads: 4\n")
	_, err := Load(path, nil, nil)
	wantErr(t, "syntax", err, path, "line ")
	path = writeConfig(t, "steps: 3\n\tlr: 0.1\n")
	_, err = Load(path, nil, nil)
	wantErr(t, "tab", err, path, "line 2")
	path = writeConfig(t, "steps: 3\nsteps: 4\n")
	_, err = Load(path, nil, nil)
	wantErr(t, "duplicate key", err, path+":2", "steps", "line 1")
}

func TestMissingFileAndInvalidValues(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil, nil)
	wantErr(t, "missing file", err, "nope.yaml", "does not exist")

	_, err = Load("", []string{"lr=-1"}, nil)
	wantErr(t, "validate", err, "lr: must be > 0")

	_, err = Load("", []string{"algo=ppo"}, nil)
	wantErr(t, "unknown algo", err, "algo", "grpo, sft, score, nft, hdpo")
}

func TestEmptyFileIsDefaults(t *testing.T) {
	cfg, err := Load(writeConfig(t, "# nothing here\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := trainers.Defaults()
	want.Init = absPath(t, want.Init) // the default init is relative to the working directory
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("empty file should give the defaults, got %+v", cfg)
	}
}

func TestEnvArgsFollowTheEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(path, []byte("env: countdown\nenv_args:\n  count_min: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.EnvArgs, map[string]any{"count_min": 3}) {
		t.Errorf("a file's env_args replace the defaults: got %#v", cfg.EnvArgs)
	}
	cfg, err = Load("", []string{"env=countdown"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.EnvArgs) != 0 {
		t.Errorf("switching env drops the default env's settings: got %#v", cfg.EnvArgs)
	}
	cfg, err = Load(path, []string{"env_args.count_max=4"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.EnvArgs, map[string]any{"count_min": 3, "count_max": 4}) {
		t.Errorf("--set env_args.x merges into the file's map: got %#v", cfg.EnvArgs)
	}
}

func TestREADMEDocumentsEveryKey(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range trainers.Keys() {
		if !strings.Contains(string(raw), "| `"+key+"` |") {
			t.Errorf("README.md's configuration table lacks key %q", key)
		}
	}
}

// sft starts from its own defaults (adam_beta2 0.999) wherever algo: sft is chosen (file,
// environment or --set); the other algorithms keep the shared ones, and a key the file sets wins.
func TestAlgorithmDefaults(t *testing.T) {
	for _, tc := range []struct {
		file      string
		sets      []string
		environ   []string
		wantBeta2 float64
	}{
		{"", nil, nil, 0.99},
		{"", []string{"algo=sft"}, nil, 0.999},
		{"", nil, []string{"GRIT_ALGO=sft"}, 0.999},
		{"algo: sft\n", nil, nil, 0.999},
		{"algo: sft\n", []string{"algo=nft"}, nil, 0.99},
		{"algo: sft\nadam_beta2: 0.95\n", nil, nil, 0.95},
		{"algo: hdpo\n", nil, nil, 0.99},
	} {
		path := ""
		if tc.file != "" {
			path = filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tc.file), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cfg, err := Load(path, append([]string{"init="}, tc.sets...), tc.environ)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.AdamBeta2 != tc.wantBeta2 || cfg.MaxGradNorm != 1 {
			t.Errorf("file %q sets %v env %v: adam_beta2 %g max_grad_norm %g; want %g and 1",
				tc.file, tc.sets, tc.environ, cfg.AdamBeta2, cfg.MaxGradNorm, tc.wantBeta2)
		}
	}
	if got := trainers.AlgoDefaults("sft"); !reflect.DeepEqual(got, map[string]any{"adam_beta2": 0.999}) {
		t.Errorf("AlgoDefaults(sft) = %v", got)
	}
	for _, algo := range []string{"grpo", "score", "nft", "hdpo"} {
		if got := trainers.AlgoDefaults(algo); len(got) != 0 {
			t.Errorf("AlgoDefaults(%s) = %v, want none", algo, got)
		}
	}
}

// The shipped SFT recipes made the base policies with adam_beta2 0.99 and max_grad_norm 1; they
// spell both out, so sft's own defaults do not change what they train.
func TestSFTRecipesKeepTheirOptimiser(t *testing.T) {
	files, err := filepath.Glob("../../configs/sft-*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no configs/sft-*.yaml: %v", err)
	}
	for _, f := range files {
		cfg, err := Load(f, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Algo != "sft" || cfg.AdamBeta2 != 0.99 || cfg.MaxGradNorm != 1 {
			t.Errorf("%s: algo %s adam_beta2 %g max_grad_norm %g; want sft, 0.99, 1", f, cfg.Algo, cfg.AdamBeta2, cfg.MaxGradNorm)
		}
	}
}

// stop: and rollouts: are sections of a config file like score:; their values are checked with
// the file and line, and a metric rule without a metric is refused.
func TestStopAndRolloutsSections(t *testing.T) {
	path := writeConfig(t, "stop:\n  metric: eval_accuracy\n  target: 0.2\n  time_budget_s: 300\nrollouts:\n  every: 5\n  keep_last: 3\n  parquet: false\n")
	cfg, err := Load(path, []string{"stop.patience=4"}, []string{"GRIT_ROLLOUTS_EVERY=10"})
	if err != nil {
		t.Fatal(err)
	}
	want := trainers.StopConfig{Metric: "eval_accuracy", Mode: "max", Target: 0.2, Patience: 4, TimeBudgetS: 300}
	if cfg.Stop != want || cfg.Rollouts != (trainers.RolloutsConfig{Every: 10, KeepLast: 3, Parquet: false}) {
		t.Errorf("stop %+v rollouts %+v", cfg.Stop, cfg.Rollouts)
	}
	for body, wantErr := range map[string]string{
		"stop:\n  mode: up\n":                    "cfg.yaml:2: stop.mode: \"up\" is not valid; use one of max, min",
		"rollouts:\n  every: -1\n":               "cfg.yaml:2: rollouts.every: must be >= 0",
		"stop:\n  metric: \"\"\n  patience: 3\n": "stop.metric: must name a metrics.jsonl key",
		"stop:\n  patience: 1.5\n":               "stop.patience",
	} {
		_, err := Load(writeConfig(t, body), nil, nil)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%q: got %v, want an error containing %q", body, err, wantErr)
		}
	}
}

// A number grid (expert_iter.temperatures) is written as a YAML list, a single number or a
// comma-separated string (the form of --set); anything else is refused naming the key.
func TestNumberGridForms(t *testing.T) {
	for body, want := range map[string]trainers.NumberGrid{
		"algo: expert_iter\nexpert_iter:\n  temperatures: [0.5, 1, 1.25]\n": "0.5,1,1.25",
		"algo: expert_iter\nexpert_iter:\n  temperatures: 0.7\n":            "0.7",
		"algo: expert_iter\nexpert_iter:\n  temperatures: \"0.5,2\"\n":      "0.5,2",
	} {
		cfg, err := Load(writeConfig(t, body), nil, nil)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		if cfg.ExpertIter.Temperatures != want {
			t.Errorf("%q: temperatures = %q, want %q", body, cfg.ExpertIter.Temperatures, want)
		}
	}
	cfg, err := Load(writeConfig(t, "algo: expert_iter\n"), []string{"expert_iter.temperatures=0.25,0.75"}, nil)
	if err != nil || cfg.ExpertIter.Temperatures != "0.25,0.75" {
		t.Errorf("--set grid: %q, %v", cfg.ExpertIter.Temperatures, err)
	}
	for _, body := range []string{
		"expert_iter:\n  temperatures: [0.5, hot]\n",
		"expert_iter:\n  temperatures: {a: 1}\n",
	} {
		_, err := Load(writeConfig(t, body), nil, nil)
		if err == nil || !strings.Contains(err.Error(), "expert_iter.temperatures expects a list of numbers") {
			t.Errorf("%q: err = %v, want one naming expert_iter.temperatures and a list of numbers", body, err)
		}
	}
}
