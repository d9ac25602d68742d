package extproc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"grit/rewards"
)

// ProtocolVersion is the version of the line-delimited JSON protocol grit speaks (see doc.go and
// docs/plugins.md). A plugin whose handshake names another version is refused.
const ProtocolVersion = 1

// Task is the problem a completion answers, as sent to the plugin.
type Task struct {
	ID     string            `json:"id"`
	Prompt string            `json:"prompt"`
	Answer string            `json:"answer"`
	Meta   map[string]string `json:"meta"`
}

// PastTurn is one earlier turn of a multi-turn episode: the policy's text and the feedback it got.
type PastTurn struct {
	Completion string `json:"completion"`
	Feedback   string `json:"feedback"`
}

// Request is one completion to grade.
type Request struct {
	Task       Task
	Completion string     // the policy's text for this turn
	Turn       int        // 0 for the first turn
	History    []PastTurn // earlier turns of this episode, oldest first (empty on turn 0)
}

// Hello is the plugin's answer to the handshake.
type Hello struct {
	Type       string   `json:"type"`       // "hello"
	Protocol   int      `json:"protocol"`   // must equal ProtocolVersion
	Name       string   `json:"name"`       // the plugin's name, for messages
	Components []string `json:"components"` // reward component names every result carries, in order
	Error      string   `json:"error,omitempty"`
}

// helloRequest is grit's first line to a plugin.
type helloRequest struct {
	Type     string `json:"type"` // "hello"
	Protocol int    `json:"protocol"`
	Client   string `json:"client"` // "grit"
}

// scoreRequest is the wire form of a Request. Its names follow the protocol, whose grade request
// has type "score" (a wire name, kept for plugins already written).
type scoreRequest struct {
	Type       string     `json:"type"` // "score"
	ID         uint64     `json:"id"`
	Task       Task       `json:"task"`
	Completion string     `json:"completion"`
	Turn       int        `json:"turn"`
	History    []PastTurn `json:"history"`
}

// scoreResponse is the wire form of a plugin's answer to a scoreRequest.
type scoreResponse struct {
	Type       string                     `json:"type"` // "result"
	ID         uint64                     `json:"id"`
	Components map[string]json.RawMessage `json:"components"`
	Correct    *bool                      `json:"correct"`
	Feedback   string                     `json:"feedback"`
	Done       *bool                      `json:"done"`
	Error      string                     `json:"error"`
}

func newScoreRequest(id uint64, r Request) scoreRequest {
	t := r.Task
	if t.Meta == nil {
		t.Meta = map[string]string{}
	}
	h := r.History
	if h == nil {
		h = []PastTurn{}
	}
	return scoreRequest{Type: "score", ID: id, Task: t, Completion: r.Completion, Turn: r.Turn, History: h}
}

// checkHello validates a plugin's handshake answer.
func checkHello(h Hello) error {
	if h.Type == "error" || h.Error != "" {
		return fmt.Errorf("plugin refused the handshake: %s", h.Error)
	}
	if h.Type != "hello" {
		return fmt.Errorf(`plugin answered the handshake with type %q; want {"type":"hello",...}`, h.Type)
	}
	if h.Protocol != ProtocolVersion {
		return fmt.Errorf("plugin %q speaks protocol version %d but grit speaks version %d; update the plugin to protocol %d (docs/plugins.md)",
			h.Name, h.Protocol, ProtocolVersion, ProtocolVersion)
	}
	if strings.TrimSpace(h.Name) == "" {
		return fmt.Errorf(`plugin handshake has no "name"; answer {"type":"hello","protocol":%d,"name":"...","components":[...]}`, ProtocolVersion)
	}
	if len(h.Components) == 0 {
		return fmt.Errorf(`plugin %q declares no reward components; list them in the handshake's "components"`, h.Name)
	}
	seen := map[string]bool{}
	for _, c := range h.Components {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("plugin %q declares an empty component name", h.Name)
		}
		if seen[c] {
			return fmt.Errorf("plugin %q declares component %q twice", h.Name, c)
		}
		seen[c] = true
	}
	return nil
}

// Response is the outcome of one grade call.
type Response struct {
	// Result holds one component per name the plugin declared, in the declared order. After a
	// failed call (timeout, crash, bad JSON, plugin error) every component has OK false and Err
	// saying what happened.
	Result   rewards.Result
	Feedback string // text for the next turn; empty if none
	Done     bool   // the plugin's done flag (true when omitted)
	Err      error  // non-nil when the whole call failed
}

// failedResponse marks every declared component failed with msg.
func failedResponse(components []string, err error) Response {
	cs := make([]rewards.Component, len(components))
	for i, name := range components {
		cs[i] = rewards.Component{Name: name, Err: err.Error()}
	}
	return Response{Result: rewards.Result{Components: cs}, Done: true, Err: err}
}

// toResponse converts a well-formed wire answer into a Response with components in declared order.
func toResponse(components []string, w scoreResponse) Response {
	if w.Error != "" {
		return failedResponse(components, fmt.Errorf("plugin error: %s", w.Error))
	}
	declared := map[string]bool{}
	cs := make([]rewards.Component, 0, len(components))
	for _, name := range components {
		declared[name] = true
		raw, ok := w.Components[name]
		if !ok {
			cs = append(cs, rewards.Component{Name: name, Err: fmt.Sprintf("plugin returned no value for component %q", name)})
			continue
		}
		cs = append(cs, decodeComponent(name, raw))
	}
	var extra []string
	for name := range w.Components {
		if !declared[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		cs = append(cs, rewards.Component{Name: name, Err: fmt.Sprintf(
			"plugin returned component %q that its handshake did not declare (declared: %s)", name, strings.Join(components, ", "))})
	}
	done := true
	if w.Done != nil {
		done = *w.Done
	}
	correct := w.Correct != nil && *w.Correct
	return Response{Result: rewards.Result{Components: cs, Correct: correct}, Feedback: w.Feedback, Done: done}
}

// decodeComponent reads one component value: a JSON number is a value, a JSON string an error.
func decodeComponent(name string, raw json.RawMessage) rewards.Component {
	raw = bytes.TrimSpace(raw)
	var v float64
	if len(raw) > 0 && raw[0] != '"' && raw[0] != 'n' && json.Unmarshal(raw, &v) == nil {
		return rewards.Component{Name: name, Value: v, OK: true}
	}
	var msg string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &msg) == nil {
		if msg == "" {
			msg = "plugin returned an empty error string"
		}
		return rewards.Component{Name: name, Err: "plugin: " + msg}
	}
	return rewards.Component{Name: name, Err: fmt.Sprintf("plugin returned %s for component %q; want a number or an error string", clip(string(raw), 80), name)}
}

// clip shortens s to at most n bytes for error messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
