package store

import (
	"context"
	"os"
	"path/filepath"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"grit/rl"
)

// StepFiles lists a run's step files (runDir/rollouts/step-*.arrow) in step order.
func StepFiles(runDir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(runDir, "rollouts", "step-*.arrow"))
	if err != nil {
		return nil, errorf("listing step files: %v", err)
	}
	sort.Strings(files) // zero-padded step numbers sort numerically
	return files, nil
}

// SkippedStep is a step file ExportParquet could not read, and why.
type SkippedStep struct {
	Path string
	Err  error
}

// ExportParquet writes every step file of runDir into one Parquet file at out (one row group per
// step, snappy-compressed, Arrow schema stored). Steps may differ in reward components: the file
// has the union, with nulls where a step lacked one. A step file that cannot be read (damaged,
// truncated) is left out and listed in skipped, so one bad file never costs the others; when no
// step file can be read nothing is written and err says why. It returns the number of rows written.
func ExportParquet(mem memory.Allocator, runDir, out string) (rows int, skipped []SkippedStep, err error) {
	files, err := StepFiles(runDir)
	if err != nil {
		return 0, nil, err
	}
	if len(files) == 0 {
		return 0, nil, errorf("no step files in %s; write them with WriteStepFile(StepFilePath(runDir, step), rec)", filepath.Join(runDir, "rollouts"))
	}
	type step struct {
		runID   string
		samples []rl.Sample
	}
	var steps []step
	var all []rl.Sample
	for _, f := range files {
		rec, err := ReadStepFile(mem, f)
		if err != nil {
			skipped = append(skipped, SkippedStep{f, err})
			continue
		}
		var s step
		s.runID, s.samples, err = RecordSamples(rec)
		rec.Release()
		if err != nil {
			skipped = append(skipped, SkippedStep{f, errorf("%s: %v", f, err)})
			continue
		}
		steps = append(steps, s)
		all = append(all, s.samples...)
	}
	if len(steps) == 0 {
		return 0, skipped, errorf("none of the %d step files in %s can be read; the first: %v", len(files), filepath.Join(runDir, "rollouts"), skipped[0].Err)
	}
	names, err := componentNames(all)
	if err != nil {
		return 0, skipped, err
	}
	rows, err = writeParquet(mem, out, names, func(yield func(arrow.Record) error) error {
		for _, s := range steps {
			rec, err := stepRecordWith(mem, s.runID, s.samples, names)
			if err != nil {
				return err
			}
			err = yield(rec)
			rec.Release()
			if err != nil {
				return err
			}
		}
		return nil
	})
	return rows, skipped, err
}

func writeParquet(mem memory.Allocator, out string, names []string, each func(func(arrow.Record) error) error) (rows int, err error) {
	f, err := os.Create(out + ".tmp")
	if err != nil {
		return 0, errorf("creating %s: %v", out, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithAllocator(mem))
	w, err := pqarrow.NewFileWriter(RolloutSchema(names), f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
	if err != nil {
		return 0, errorf("starting the Parquet file: %v", err)
	}
	err = each(func(rec arrow.Record) error {
		if err := validateRecord(rec); err != nil {
			return err
		}
		rows += int(rec.NumRows())
		if err := w.Write(rec); err != nil {
			return errorf("writing Parquet: %v", err)
		}
		return nil
	})
	if cerr := w.Close(); err == nil && cerr != nil {
		err = errorf("finishing the Parquet file: %v", cerr)
	}
	if err != nil {
		return 0, err
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return 0, errorf("renaming the Parquet file into place: %v", err)
	}
	return rows, nil
}

// ReadParquet reads a rollout Parquet file (from ExportParquet) back into samples
// and the run id of each sample. Record boundaries follow the file's row groups, so samples never
// straddle two records when they were written by this package.
func ReadParquet(mem memory.Allocator, path string) (runIDs []string, samples []rl.Sample, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, errorf("opening %s: %v", path, err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(mem), pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return nil, nil, errorf("reading Parquet %s: %v", path, err)
	}
	defer tbl.Release()
	// One record for the whole table: chunk boundaries may differ between columns and must not
	// split a multi-turn sample.
	cols := make([]arrow.Array, tbl.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cols {
		chunks := tbl.Column(i).Data().Chunks()
		if len(chunks) == 0 {
			cols[i] = array.MakeArrayOfNull(mem, tbl.Schema().Field(i).Type, 0)
			continue
		}
		if cols[i], err = array.Concatenate(chunks, mem); err != nil {
			return nil, nil, errorf("reading Parquet %s: %v", path, err)
		}
	}
	rec := array.NewRecord(tbl.Schema(), cols, tbl.NumRows())
	defer rec.Release()
	runIDs, samples, err = recordSamples(rec)
	if err != nil {
		return nil, nil, errorf("%s: %v", path, err)
	}
	return runIDs, samples, nil
}
