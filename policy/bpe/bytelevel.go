package bpe

import "strings"

// byteToRune is GPT-2's byte-to-character table: the printable bytes '!'..'~', '¡'..'¬' and '®'..'ÿ'
// map to the character with the same code point; the other 68 bytes map, in increasing order, to
// U+0100, U+0101, ... (so space 0x20 becomes 'Ġ' U+0120 and '\n' becomes 'Ċ' U+010A). Every byte thus
// has a visible, non-space character and the vocabulary needs no raw bytes.
var byteToRune, runeToByte = buildByteTable()

func buildByteTable() ([256]rune, map[rune]byte) {
	var fwd [256]rune
	back := make(map[rune]byte, 256)
	printable := func(b int) bool {
		return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
	}
	next := rune(256)
	for b := 0; b < 256; b++ {
		if printable(b) {
			fwd[b] = rune(b)
		} else {
			fwd[b] = next
			next++
		}
		back[fwd[b]] = byte(b)
	}
	return fwd, back
}

// byteLevelEncode rewrites each byte of s as its byte-level character.
func byteLevelEncode(s string) string {
	var sb strings.Builder
	sb.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		sb.WriteRune(byteToRune[s[i]])
	}
	return sb.String()
}

// byteLevelDecode maps the characters of a token back to bytes. A token with a character outside the
// table (an added token such as "<|im_start|>" written in plain text) contributes its own bytes.
func byteLevelDecode(tok string, dst []byte) []byte {
	start := len(dst)
	for _, r := range tok {
		b, ok := runeToByte[r]
		if !ok {
			return append(dst[:start], tok...)
		}
		dst = append(dst, b)
	}
	return dst
}
