package rewards

func init() {
	Register("correct", newCorrectness)
	Register("format", newFormat)
	Register("length", newLength)
	Register("efficiency", newEfficiency)
	Register("overlong", newOverlong)
}
