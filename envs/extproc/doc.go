// Package extproc runs out-of-process reward plugins: any executable that speaks grit's
// line-delimited JSON protocol on its stdin and stdout, so a reward author can write a verifier in
// Python (or anything else) without touching grit.
//
// # Protocol, version 1
//
// Every message is one JSON object on one line (UTF-8, ending in "\n"). grit writes to the
// plugin's stdin and reads its stdout; the plugin must print nothing else on stdout (log to
// stderr, which grit keeps and shows in errors). Requests are sent one at a time per process: a
// process never sees a second request before it answered the first.
//
// Handshake. grit sends
//
//	{"type":"hello","protocol":1,"client":"grit"}
//
// and the plugin answers, within the start timeout,
//
//	{"type":"hello","protocol":1,"name":"my_plugin","components":["correct","length"]}
//
// naming itself and the reward components every result will carry, in order. A plugin that
// answers another protocol version, answers {"type":"error","error":"..."}, exits, prints a line
// that is not JSON or does not answer in time is refused: NewPool returns an error with the
// plugin's stderr tail, and the run stops.
//
// Grading. For each completion grit sends a request of type "score" (the protocol's wire name):
//
//	{"type":"score","id":7,"task":{"id":"t1","prompt":"...","answer":"5","meta":{"difficulty":"2"}},
//	 "completion":"... so the answer is 5","turn":0,"history":[]}
//
// where id increases with every request, turn counts from 0 and history lists the earlier turns
// of a multi-turn episode as {"completion":"...","feedback":"..."}. The plugin answers
//
//	{"type":"result","id":7,"components":{"correct":1,"length":23},"correct":true,
//	 "feedback":"","done":true}
//
// with the request's id. Each component is a JSON number or, when it could not be computed, a
// string saying why (that component is marked failed; the others stand). "correct" (the verdict,
// default false), "feedback" (text shown to the policy before its next turn, default none) and
// "done" (whether the episode is over, default true) are optional. {"type":"result","id":7,
// "error":"..."} fails every component of that request. A process may answer requests from
// different episodes, so a plugin must keep no state between requests: history carries what
// earlier turns said. When its stdin ends the plugin should exit.
//
// Failures. A call that runs past the timeout, whose process exits, or whose answer is not
// JSON or has the wrong type or id, comes back as failed components (rewards.Component with OK
// false and Err saying what happened, e.g. "plugin timed out after 2s before answering
// (restarted)"), never as a silent 0. That process and its process group are killed and a fresh
// one is started. Answers with an id lower than the pending request's are stale and discarded.
//
// # Go API
//
// Pool runs a few processes of one plugin and is safe for concurrent use; GradeAll returns
// results in request order. Importing this package for its side effects registers
//
//   - the reward "exec" (rewards.New("exec", {"command": [...], ...})), a rewards.Func that
//     returns one component of a plugin, and
//   - the env "plugin" (envs.New("plugin", {"base": "arithmetic", "command": [...], ...})),
//     which takes its tasks from a base env and lets the plugin grade, give feedback and end
//     episodes.
//
// Both hold running processes: close them (they implement io.Closer) when the run ends.
// docs/plugins.md walks a reward author through writing a plugin.
package extproc
