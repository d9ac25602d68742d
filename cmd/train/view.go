package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"grit/trainers/report"
)

// viewFlags are `train view`'s flags.
type viewFlags struct {
	out   string
	serve string
}

func (a *app) viewCommand() *cobra.Command {
	var f viewFlags
	cmd := &cobra.Command{
		Use:   "view RUN [RUN ...]",
		Short: "Write (or serve) one report page that overlays several runs' curves and browses their rollouts",
		Example: `  train view runs/grpo-20250101-120000                      # writes runs/grpo-20250101-120000/report.html
  train view runs/sweep-* --out sweep.html                  # one page, the runs overlaid
  train view runs/a runs/b --serve localhost:8080           # serve it instead of writing a file`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return configErrorf("view: give at least one run folder (train view runs/grpo-...)")
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, args []string) error { return a.runView(args, f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "out", "o", "", "page to write (default: RUN/report.html for one run, report.html here for several)")
	fl.StringVar(&f.serve, "serve", "", "serve the page on this address (host:port) instead of writing a file")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return configError{err} })
	return cmd
}

func (a *app) runView(runs []string, f viewFlags) error {
	for _, r := range runs {
		if _, err := os.Stat(filepath.Join(r, "metrics.jsonl")); err != nil {
			return configErrorf("view: %s is not a run folder (no metrics.jsonl): %v", r, errors.Unwrap(err))
		}
	}
	if f.serve != "" {
		h, err := report.Handler(runs)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", f.serve)
		if err != nil {
			return configErrorf("view: --serve %s: %v", f.serve, err)
		}
		fmt.Fprintf(a.stdout, "serving the report of %d run(s) on http://%s/ (Ctrl-C stops)\n", len(runs), ln.Addr())
		return http.Serve(ln, h)
	}
	out := f.out
	switch {
	case out == "" && len(runs) == 1:
		if err := report.WriteRun(runs[0]); err != nil {
			return err
		}
		out = filepath.Join(runs[0], report.FileName)
	case out == "":
		out = report.FileName
		fallthrough
	default:
		if err := report.WriteView(out, runs); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "wrote %s (open it in a browser; it works offline)\n", out)
	return nil
}
