package envs_test

import (
	"fmt"
	"math/rand/v2"

	"grit/envs"
	"grit/rewards"
)

// ExampleNew builds the arithmetic env by name with env_args, as a config does, draws training
// tasks from a seeded generator, and grades completions through an episode.
func ExampleNew() {
	env, err := envs.New("arithmetic", envs.Params{"digits_min": 2, "digits_max": 2, "operators": []any{"+"}})
	if err != nil {
		panic(err)
	}
	tasks := env.Tasks().Train(2, rand.New(rand.NewPCG(1, 2))) // same seed, same tasks
	for _, task := range tasks {
		fmt.Printf("task %s: prompt %q, answer %q\n", task.ID, task.Prompt, task.Answer)
	}
	fmt.Println("held-out tasks:", len(env.Tasks().HeldOut()), "turns:", env.MaxTurns())

	task := tasks[0]
	for _, completion := range []string{task.Answer, "The answer is " + task.Answer + ".", "0"} {
		episode, err := env.Reset(task) // one episode per completion
		if err != nil {
			panic(err)
		}
		step, err := episode.Step(completion)
		if err != nil {
			panic(err)
		}
		total, _ := rewards.Total(step.Reward, map[string]float64{"correct": 1})
		fmt.Printf("%q: reward %v, correct %v, done %v\n", completion, total, step.Reward.Correct, step.Done)
	}

	_, err = envs.New("arithmetic", envs.Params{"digits": 2})
	fmt.Println("unknown param rejected:", err != nil)
	// Output:
	// task 80+81: prompt "80+81=", answer "161"
	// task 54+50: prompt "54+50=", answer "104"
	// held-out tasks: 200 turns: 1
	// "161": reward 1, correct true, done true
	// "The answer is 161.": reward 1, correct true, done true
	// "0": reward 0, correct false, done true
	// unknown param rejected: true
}
