package envs

import "grit/rewards"

// verifiedGenerator is the part single-turn envs over a seeded task generator share (arithmetic,
// wordproblems): one verifier component, the generator with its held-out split, and episodes of
// one turn whose completion the verifier grades.
type verifiedGenerator struct {
	verify rewards.Func
	tasks  *generatedSource
}

// RewardComponents is the verifier's one component.
func (g *verifiedGenerator) RewardComponents() []string { return []string{g.verify.Name()} }

// Tasks is the seeded generator with its held-out split.
func (g *verifiedGenerator) Tasks() TaskSource { return g.tasks }

// MaxTurns is 1.
func (g *verifiedGenerator) MaxTurns() int { return 1 }

// Reset starts a single-turn episode: the completion is correct when the verifier's extracted
// answer equals the task's exact answer.
func (g *verifiedGenerator) Reset(task Task) (Episode, error) {
	return &singleTurn{task: task, grade: g.grade}, nil
}

func (g *verifiedGenerator) grade(task Task, completion string) rewards.Result {
	return rewards.GradeAll([]rewards.Func{g.verify}, inputFor(task, completion))
}
