// Package tensorboard writes TensorBoard event files with scalar summaries, so that
// `tensorboard --logdir runs/` (and tools that read the same files, such as `wandb sync`) show a
// run's metrics without any Python on the training side.
//
// An event file is a sequence of TFRecords. Each record is
//
//	uint64 length (little endian) | uint32 masked CRC-32C of the 8 length bytes | data | uint32 masked CRC-32C of data
//
// where masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8 (mod 2^32) and CRC-32C uses the
// Castagnoli polynomial. Each record's data is a tensorflow.Event protocol buffer; the first one
// carries file_version "brain.Event:2", the others a Summary of simple_value scalars. The protocol
// buffers are encoded by hand (proto.go): only a handful of fields are needed.
package tensorboard
