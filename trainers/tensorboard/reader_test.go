package tensorboard

// An independent reader of TFRecord event files, written from the format's definition: a bitwise
// CRC-32C (reflected Castagnoli polynomial 0x82F63B78, no table, no hash/crc32) and a generic
// protocol-buffer wire decoder. It shares no code with the writer.

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

func crc32cBitwise(data []byte) uint32 {
	crc := ^uint32(0)
	for _, b := range data {
		crc ^= uint32(b)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x82F63B78
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

func unmask(m uint32) uint32 {
	rot := m - 0xa282ead8
	return rot<<15 | rot>>17
}

// readRecords splits a TFRecord file into its data payloads, checking both CRCs of every record.
func readRecords(path string) ([][]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for off := 0; off < len(raw); {
		if len(raw)-off < 12 {
			return nil, fmt.Errorf("offset %d: truncated header", off)
		}
		n := binary.LittleEndian.Uint64(raw[off:])
		if got := unmask(binary.LittleEndian.Uint32(raw[off+8:])); got != crc32cBitwise(raw[off:off+8]) {
			return nil, fmt.Errorf("offset %d: length CRC %08x, want %08x", off, got, crc32cBitwise(raw[off:off+8]))
		}
		start := off + 12
		end := start + int(n)
		if end+4 > len(raw) {
			return nil, fmt.Errorf("offset %d: truncated data", off)
		}
		data := raw[start:end]
		if got := unmask(binary.LittleEndian.Uint32(raw[end:])); got != crc32cBitwise(data) {
			return nil, fmt.Errorf("offset %d: data CRC %08x, want %08x", off, got, crc32cBitwise(data))
		}
		out = append(out, data)
		off = end + 4
	}
	return out, nil
}

// pbField is one decoded wire field: varint/fixed values in num, length-delimited ones in bytes.
type pbField struct {
	num   int
	wire  int
	u     uint64
	bytes []byte
}

func decodePB(b []byte) ([]pbField, error) {
	var out []pbField
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, fmt.Errorf("bad key varint")
		}
		b = b[n:]
		f := pbField{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case 0:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, fmt.Errorf("bad varint in field %d", f.num)
			}
			f.u, b = v, b[n:]
		case 1:
			if len(b) < 8 {
				return nil, fmt.Errorf("short fixed64 in field %d", f.num)
			}
			f.u, b = binary.LittleEndian.Uint64(b), b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, fmt.Errorf("bad length in field %d", f.num)
			}
			f.bytes, b = b[n:n+int(l)], b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return nil, fmt.Errorf("short fixed32 in field %d", f.num)
			}
			f.u, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
		default:
			return nil, fmt.Errorf("unsupported wire type %d", f.wire)
		}
		out = append(out, f)
	}
	return out, nil
}

// event is what the reader extracts from an Event message (fields 1, 2, 3, 5).
type event struct {
	wallTime    float64
	step        int64
	fileVersion string
	scalars     map[string]float32
}

func decodeEvent(b []byte) (event, error) {
	fs, err := decodePB(b)
	if err != nil {
		return event{}, err
	}
	var e event
	for _, f := range fs {
		switch {
		case f.num == 1 && f.wire == 1:
			e.wallTime = math.Float64frombits(f.u)
		case f.num == 2 && f.wire == 0:
			e.step = int64(f.u)
		case f.num == 3 && f.wire == 2:
			e.fileVersion = string(f.bytes)
		case f.num == 5 && f.wire == 2:
			vals, err := decodePB(f.bytes)
			if err != nil {
				return e, err
			}
			e.scalars = map[string]float32{}
			for _, v := range vals {
				if v.num != 1 || v.wire != 2 {
					return e, fmt.Errorf("summary field %d wire %d, want value (1, bytes)", v.num, v.wire)
				}
				inner, err := decodePB(v.bytes)
				if err != nil {
					return e, err
				}
				var tag string
				var val float32
				for _, g := range inner {
					switch {
					case g.num == 1 && g.wire == 2:
						tag = string(g.bytes)
					case g.num == 2 && g.wire == 5:
						val = math.Float32frombits(uint32(g.u))
					default:
						return e, fmt.Errorf("value field %d wire %d unexpected", g.num, g.wire)
					}
				}
				e.scalars[tag] = val
			}
		default:
			return e, fmt.Errorf("event field %d wire %d unexpected", f.num, f.wire)
		}
	}
	return e, nil
}
