package bpe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// maxCacheWords bounds the per-word cache; once full, further new words are encoded uncached.
const maxCacheWords = 1 << 18

// symbolPair is two adjacent token ids that a merge may join.
type symbolPair struct{ left, right int32 }

// mergeRule is what a pair becomes: the merged token's id, and its rank (position in the merges
// list; lower merges first).
type mergeRule struct{ rank, id int32 }

// bpeModel is the BPE model of tokenizer.json.
type bpeModel struct {
	vocab        map[string]int
	merges       map[symbolPair]mergeRule
	unk          int // -1 without unk_token
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	byteIDs      [256]int // id of "<0xXX>" per byte, -1 if absent
	charIDs      [256]int // id of each byte's byte-level character (see byteToRune), -1 if absent

	mu    sync.RWMutex
	cache map[string][]int
}

func newBPEModel(m modelJSON) (*bpeModel, error) {
	if m.Type != "BPE" {
		return nil, fmt.Errorf("model type %q is not supported (supported: BPE)", m.Type)
	}
	if m.Dropout != nil && *m.Dropout != 0 {
		return nil, fmt.Errorf("model: dropout %v is not supported (BPE dropout is a training-time option; set it to null)", *m.Dropout)
	}
	if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" {
		return nil, fmt.Errorf("model: continuing_subword_prefix %q is not supported", *m.ContinuingSubwordPrefix)
	}
	if m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
		return nil, fmt.Errorf("model: end_of_word_suffix %q is not supported", *m.EndOfWordSuffix)
	}
	if len(m.Vocab) == 0 {
		return nil, fmt.Errorf("model: empty vocab")
	}
	b := &bpeModel{vocab: m.Vocab, unk: -1, fuseUnk: m.FuseUnk, byteFallback: m.ByteFallback,
		ignoreMerges: m.IgnoreMerges, cache: map[string][]int{}}
	if m.UnkToken != nil {
		id, ok := m.Vocab[*m.UnkToken]
		if !ok {
			return nil, fmt.Errorf("model: unk_token %q is not in the vocab", *m.UnkToken)
		}
		b.unk = id
	}
	for i := range b.byteIDs {
		b.byteIDs[i], b.charIDs[i] = -1, -1
		if id, ok := m.Vocab[fmt.Sprintf("<0x%02X>", i)]; ok {
			b.byteIDs[i] = id
		}
		if id, ok := m.Vocab[string(byteToRune[i])]; ok {
			b.charIDs[i] = id
		}
	}
	b.merges = make(map[symbolPair]mergeRule, len(m.Merges))
	for rank, raw := range m.Merges {
		left, right, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("model: merges[%d]: %w", rank, err)
		}
		l, okL := m.Vocab[left]
		r, okR := m.Vocab[right]
		id, okM := m.Vocab[left+right]
		if !okL || !okR || !okM {
			return nil, fmt.Errorf("model: merges[%d] %q + %q: a part or the merged token %q is not in the vocab", rank, left, right, left+right)
		}
		p := symbolPair{int32(l), int32(r)}
		if _, dup := b.merges[p]; !dup { // the first (lowest) rank wins
			b.merges[p] = mergeRule{rank: int32(rank), id: int32(id)}
		}
	}
	return b, nil
}

// parseMerge reads one merge in either form: "left right" or ["left", "right"]. Merges without
// escapes (nearly all) are cut directly; json.Unmarshal per merge would dominate the load time.
func parseMerge(raw json.RawMessage) (string, string, error) {
	if left, right, ok := parsePlainMerge(raw); ok {
		return left, right, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		left, right, ok := strings.Cut(s, " ")
		if !ok || left == "" || right == "" || strings.Contains(right, " ") {
			return "", "", fmt.Errorf("%q is not \"left right\"", s)
		}
		return left, right, nil
	}
	var pair []string
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
		return "", "", fmt.Errorf("%s is neither \"left right\" nor [\"left\", \"right\"]", raw)
	}
	return pair[0], pair[1], nil
}

// parsePlainMerge handles a merge without backslash escapes; ok is false for anything else.
func parsePlainMerge(raw []byte) (left, right string, ok bool) {
	if len(raw) < 2 || bytes.IndexByte(raw, '\\') >= 0 {
		return "", "", false
	}
	if raw[0] == '"' && raw[len(raw)-1] == '"' {
		l, r, found := strings.Cut(string(raw[1:len(raw)-1]), " ")
		return l, r, found && l != "" && r != "" && !strings.Contains(r, " ") && !strings.Contains(r, `"`)
	}
	// ["left","right"]: with no escapes, the strings hold no quotes, so the quotes cut it in five.
	parts := strings.Split(string(raw), `"`)
	if len(parts) != 5 || strings.TrimSpace(parts[0]) != "[" || strings.TrimSpace(parts[2]) != "," || strings.TrimSpace(parts[4]) != "]" {
		return "", "", false
	}
	return parts[1], parts[3], true
}

// encodeWord appends the ids of one pre-token. With byteLevel, the pre-token is raw text whose
// bytes are first rewritten as byte-level characters. Results are cached by the pre-token as given.
func (m *bpeModel) encodeWord(piece string, byteLevel bool, dst []int) []int {
	m.mu.RLock()
	ids, ok := m.cache[piece]
	m.mu.RUnlock()
	if ok {
		return append(dst, ids...)
	}
	ids = m.encodeUncached(piece, byteLevel)
	m.mu.Lock()
	if len(m.cache) < maxCacheWords {
		m.cache[piece] = ids
	}
	m.mu.Unlock()
	return append(dst, ids...)
}

// encodeUncached runs BPE on one pre-token (see encodeWord).
func (m *bpeModel) encodeUncached(piece string, byteLevel bool) []int {
	if byteLevel && !m.ignoreMerges {
		// Every byte is one byte-level character: look its id up in a table, not the vocab map.
		syms := make([]int32, len(piece))
		for i := 0; i < len(piece); i++ {
			id := m.charIDs[piece[i]]
			if id < 0 {
				return m.merge(m.initialSymbols(byteLevelEncode(piece)))
			}
			syms[i] = int32(id)
		}
		return m.merge(syms)
	}
	word := piece
	if byteLevel {
		word = byteLevelEncode(piece)
	}
	if id, ok := m.vocab[word]; ok && m.ignoreMerges {
		return []int{id}
	}
	return m.merge(m.initialSymbols(word))
}

// initialSymbols splits a word into the ids of its characters. A character missing from the vocab
// becomes its UTF-8 bytes' <0xXX> tokens under byte_fallback (when all exist), else unk (consecutive
// unks fused into one under fuse_unk), else it is dropped, as the reference implementation does.
func (m *bpeModel) initialSymbols(word string) []int32 {
	syms := make([]int32, 0, len(word))
	pendingUnk := false
	for i, r := range word {
		ch := word[i : i+len(string(r))]
		if id, ok := m.vocab[ch]; ok {
			if pendingUnk {
				syms = append(syms, int32(m.unk))
				pendingUnk = false
			}
			syms = append(syms, int32(id))
			continue
		}
		if m.byteFallback && m.hasBytes(ch) {
			if pendingUnk {
				syms = append(syms, int32(m.unk))
				pendingUnk = false
			}
			for j := 0; j < len(ch); j++ {
				syms = append(syms, int32(m.byteIDs[ch[j]]))
			}
			continue
		}
		if m.unk < 0 {
			continue
		}
		if pendingUnk && !m.fuseUnk {
			syms = append(syms, int32(m.unk))
		}
		pendingUnk = true
	}
	if pendingUnk {
		syms = append(syms, int32(m.unk))
	}
	return syms
}

func (m *bpeModel) hasBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if m.byteIDs[s[i]] < 0 {
			return false
		}
	}
	return true
}
