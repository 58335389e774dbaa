// Command svg2png draws an SVG from freeze as a PNG, with JetBrains Mono
// (the font freeze carries) and resvg (the renderer freeze uses).
// `make screenshots` needs it because freeze spaces columns at 1/1.68 of
// the font size while JetBrains Mono's glyphs advance 0.6 of it: over 120
// columns the text drifts a whole cell away from its background colours.
// The SVG is given a letter spacing that closes the gap, and drawn here,
// which freeze's own PNG output cannot do.
//
//	svg2png in.svg out.png
package main

import (
	"context"
	"fmt"
	"math"
	"os"

	"github.com/charmbracelet/freeze/font"
	resvg "github.com/kanrichan/resvg-go"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: svg2png in.svg out.png")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "svg2png:", err)
		os.Exit(1)
	}
}

func convert(in, out string) error {
	svg, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	wk, err := resvg.NewDefaultWorker(context.Background())
	if err != nil {
		return err
	}
	defer wk.Close()
	fonts, err := wk.NewFontDBDefault()
	if err != nil {
		return err
	}
	defer fonts.Close()
	if err := fonts.LoadFontData(font.JetBrainsMonoTTF); err != nil {
		return err
	}
	tree, err := wk.NewTreeFromData(svg, &resvg.Options{
		Dpi:                96,
		ShapeRenderingMode: resvg.ShapeRenderingModeGeometricPrecision,
		TextRenderingMode:  resvg.TextRenderingModeOptimizeLegibility,
		ImageRenderingMode: resvg.ImageRenderingModeOptimizeQuality,
	})
	if err != nil {
		return err
	}
	defer tree.Close()
	if err := tree.ConvertText(fonts); err != nil {
		return err
	}
	w, h, err := tree.GetSize()
	if err != nil {
		return err
	}
	pix, err := wk.NewPixmap(uint32(math.Ceil(float64(w))), uint32(math.Ceil(float64(h))))
	if err != nil {
		return err
	}
	defer pix.Close()
	if err := tree.Render(resvg.TransformIdentity(), pix); err != nil {
		return err
	}
	png, err := pix.EncodePNG()
	if err != nil {
		return err
	}
	return os.WriteFile(out, png, 0o644)
}
