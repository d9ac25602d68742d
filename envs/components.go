package envs

// ComponentLister is implemented by envs that know the reward components their results carry.
type ComponentLister interface {
	// RewardComponents lists the component names the env's rewards can carry, in order.
	RewardComponents() []string
}

// RewardComponents returns the reward component names env produces, and false when the env does
// not say (it does not implement ComponentLister). Trainers check reward_weights against it
// before training.
func RewardComponents(env Env) ([]string, bool) {
	if l, ok := env.(ComponentLister); ok {
		return l.RewardComponents(), true
	}
	return nil, false
}
