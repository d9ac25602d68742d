package trainers

import (
	"fmt"

	"grit/envs"
)

// heldOutSizeArg is the env_args key of the generated envs (arithmetic, countdown, tool) that sets
// how many held-out tasks they generate.
const heldOutSizeArg = "held_out_size"

// fitHeldOut makes the held-out split hold eval_tasks tasks. When eval_tasks is larger than the
// env's split and env_args does not set held_out_size, the env is built again with held_out_size =
// eval_tasks (those tasks are then also kept out of training, as every held-out task is); the
// returned note says so. When env_args sets held_out_size, the env takes no such setting, or even
// the larger split is too small (a finite dataset), it is an error naming both keys.
func fitHeldOut(cfg Config, env envs.Env) (envs.Env, Config, string, error) {
	n := len(env.Tasks().HeldOut())
	if cfg.EvalTasks == 0 || cfg.EvalTasks <= n {
		return env, cfg, "", nil
	}
	tooMany := func(why string) error {
		return fmt.Errorf("eval_tasks: %d is more than the %d tasks of env %s's held-out split (env_args.%s); %s",
			cfg.EvalTasks, n, cfg.Env, heldOutSizeArg, why)
	}
	if v, set := cfg.EnvArgs[heldOutSizeArg]; set {
		return nil, cfg, "", tooMany(fmt.Sprintf("env_args.%s is %v: raise it to at least eval_tasks, or lower eval_tasks (0 = the whole split)", heldOutSizeArg, v))
	}
	args := make(map[string]any, len(cfg.EnvArgs)+1)
	for k, v := range cfg.EnvArgs {
		args[k] = v
	}
	args[heldOutSizeArg] = cfg.EvalTasks
	bigger, err := envs.New(cfg.Env, args)
	if err != nil {
		return nil, cfg, "", tooMany(fmt.Sprintf("the env does not take a larger split (%v); lower eval_tasks (0 = the whole split)", err))
	}
	if m := len(bigger.Tasks().HeldOut()); m < cfg.EvalTasks {
		closeEnv(bigger)
		return nil, cfg, "", tooMany(fmt.Sprintf("even with env_args.%s: %d it has only %d; lower eval_tasks (0 = the whole split)", heldOutSizeArg, cfg.EvalTasks, m))
	}
	closeEnv(env)
	cfg.EnvArgs = args
	note := fmt.Sprintf("eval_tasks %d is more than env %s's default held-out split of %d tasks: env_args.%s set to %d (those tasks are not trained on)",
		cfg.EvalTasks, cfg.Env, n, heldOutSizeArg, cfg.EvalTasks)
	return bigger, cfg, note, nil
}
