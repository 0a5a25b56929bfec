package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/proofsheet/proofsheet/faces"
)

func facesCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "eval" {
		return errors.New("faces: say eval")
	}
	var labels, root string
	cfg, _, err := load("faces eval", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&labels, "labels", "", "`file` of FILE<TAB>IDENTITY lines (required)")
		fs.StringVar(&root, "root", "", "`folder` the FILE paths are relative to (default: the labels file's folder)")
	})
	if err != nil {
		return err
	}
	if labels == "" {
		return errors.New("faces eval: --labels is required")
	}
	if root == "" {
		root = filepath.Dir(labels)
	}
	f, err := os.Open(labels)
	if err != nil {
		return fmt.Errorf("faces eval: %w", err)
	}
	ls, err := faces.ReadLabels(f)
	f.Close()
	if err != nil {
		return err
	}
	p, err := faces.Open(cfg.Faces())
	if err != nil {
		return err
	}
	defer p.Close()
	samples, noFace, err := faces.EmbedLabelled(ctx, p, root, ls)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "model: %s, detector: %s\n", p.ModelID(), p.DetectorID())
	faces.Evaluate(samples, noFace, float32(cfg.FaceThreshold)).Print(out)
	return nil
}
