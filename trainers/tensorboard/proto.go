package tensorboard

import (
	"encoding/binary"
	"math"
)

// Field numbers of the protocol buffer messages written here (tensorflow/core/util/event.proto and
// tensorflow/core/framework/summary.proto).
const (
	eventWallTime    = 1 // double
	eventStep        = 2 // int64
	eventFileVersion = 3 // string
	eventSummary     = 5 // Summary

	summaryValue = 1 // repeated Summary.Value

	valueTag         = 1 // string
	valueSimpleValue = 2 // float
)

// Protocol buffer wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

func appendKey(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

func appendBytesField(b []byte, field int, data []byte) []byte {
	b = appendKey(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

// Scalar is one tagged value of a summary.
type Scalar struct {
	Tag   string
	Value float32
}

// encodeEvent encodes Event{wall_time, step, file_version or summary}. Zero-valued step and
// empty file_version are omitted (proto3 defaults); a nil scalars slice writes no summary.
func encodeEvent(wallTime float64, step int64, fileVersion string, scalars []Scalar) []byte {
	b := appendKey(nil, eventWallTime, wireFixed64)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(wallTime))
	if step != 0 {
		b = appendKey(b, eventStep, wireVarint)
		b = binary.AppendUvarint(b, uint64(step)) // int64 varint: two's complement for negatives
	}
	if fileVersion != "" {
		b = appendBytesField(b, eventFileVersion, []byte(fileVersion))
	}
	if scalars != nil {
		var summary []byte
		for _, s := range scalars {
			var v []byte
			v = appendBytesField(v, valueTag, []byte(s.Tag))
			v = appendKey(v, valueSimpleValue, wireFixed32)
			v = binary.LittleEndian.AppendUint32(v, math.Float32bits(s.Value))
			summary = appendBytesField(summary, summaryValue, v)
		}
		b = appendBytesField(b, eventSummary, summary)
	}
	return b
}
