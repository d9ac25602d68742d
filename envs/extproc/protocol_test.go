package extproc

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckHello(t *testing.T) {
	cases := []struct {
		hello Hello
		want  string // "" means accepted
	}{
		{Hello{Type: "hello", Protocol: 1, Name: "p", Components: []string{"a", "b"}}, ""},
		{Hello{Type: "hello", Protocol: 2, Name: "p", Components: []string{"a"}}, "protocol version 2 but grit speaks version 1"},
		{Hello{Type: "hello", Protocol: 0, Name: "p", Components: []string{"a"}}, "protocol version 0"},
		{Hello{Type: "error", Error: "needs GPU"}, "refused the handshake: needs GPU"},
		{Hello{Type: "result", Protocol: 1, Name: "p", Components: []string{"a"}}, `type "result"`},
		{Hello{Type: "hello", Protocol: 1, Components: []string{"a"}}, `no "name"`},
		{Hello{Type: "hello", Protocol: 1, Name: "p"}, "declares no reward components"},
		{Hello{Type: "hello", Protocol: 1, Name: "p", Components: []string{"a", "a"}}, `component "a" twice`},
		{Hello{Type: "hello", Protocol: 1, Name: "p", Components: []string{" "}}, "empty component name"},
	}
	for _, c := range cases {
		err := checkHello(c.hello)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v refused: %v", c.hello, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: err = %v; want %q", c.hello, err, c.want)
		}
	}
}

func TestToResponse(t *testing.T) {
	declared := []string{"correct", "length"}
	decode := func(line string) Response {
		var w scoreResponse
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return toResponse(declared, w)
	}

	r := decode(`{"type":"result","id":1,"components":{"length":12,"correct":1},"correct":true,"feedback":"ok","done":false}`)
	if r.Err != nil || !r.Result.Correct || r.Feedback != "ok" || r.Done {
		t.Errorf("full answer: %+v", r)
	}
	if c := r.Result.Components; len(c) != 2 || c[0].Name != "correct" || c[0].Value != 1 || !c[0].OK || c[1].Name != "length" || c[1].Value != 12 {
		t.Errorf("components must follow the declared order: %+v", c)
	}

	r = decode(`{"type":"result","id":1,"components":{"correct":0.5,"length":3}}`)
	if r.Result.Correct || !r.Done || r.Feedback != "" {
		t.Errorf("omitted correct/done/feedback must default to false/true/empty: %+v", r)
	}

	r = decode(`{"type":"result","id":1,"components":{"correct":"no answer tag","length":null,"speed":2}}`)
	want := []struct {
		name, err string
	}{
		{"correct", "plugin: no answer tag"},
		{"length", "plugin returned null"},
		{"speed", "did not declare"},
	}
	if len(r.Result.Components) != len(want) {
		t.Fatalf("components %+v; want %d", r.Result.Components, len(want))
	}
	for i, w := range want {
		c := r.Result.Components[i]
		if c.Name != w.name || c.OK || !strings.Contains(c.Err, w.err) {
			t.Errorf("component %d = %+v; want %s failed with %q", i, c, w.name, w.err)
		}
	}

	r = decode(`{"type":"result","id":1,"components":{"correct":1}}`)
	if c := r.Result.Components[1]; c.OK || !strings.Contains(c.Err, `no value for component "length"`) {
		t.Errorf("missing component: %+v", c)
	}

	r = decode(`{"type":"result","id":1,"error":"sympy import failed"}`)
	if r.Err == nil || len(r.Result.Components) != 2 {
		t.Fatalf("plugin error: %+v", r)
	}
	for _, c := range r.Result.Components {
		if c.OK || !strings.Contains(c.Err, "plugin error: sympy import failed") {
			t.Errorf("plugin error must fail every component: %+v", c)
		}
	}
}

func TestScoreRequestWireForm(t *testing.T) {
	line, err := json.Marshal(newScoreRequest(7, Request{Task: Task{ID: "t1", Prompt: "2+3=?", Answer: "5"}, Completion: "5", Turn: 0}))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"type":"score","id":7,"task":{"id":"t1","prompt":"2+3=?","answer":"5","meta":{}},"completion":"5","turn":0,"history":[]}`
	if string(line) != want {
		t.Errorf("wire form\n got %s\nwant %s", line, want)
	}
}
