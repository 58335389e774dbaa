package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"slices"
)

// shrinkPNG rewrites freeze's PNG with at most 256 colours. A terminal
// frame has a dozen colours and the shades anti-aliasing puts between
// them; the most frequent 256 keep the text as sharp, and the file is a
// quarter of the size.
func shrinkPNG(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return err
	}
	r := img.Bounds()
	count := map[color.NRGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			count[color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)]++
		}
	}
	cs := make([]color.NRGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	// Most frequent first; ties in a fixed order, so a frame gives the
	// same file every time.
	slices.SortFunc(cs, func(a, b color.NRGBA) int {
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return int(pack(a)) - int(pack(b))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range cs[:min(len(cs), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	index := map[color.NRGBA]uint8{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			i, ok := index[c]
			if !ok {
				i = uint8(nearest(pal, c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	// freeze made the file 0600; pictures are for everyone to read.
	return os.Chmod(path, 0o644)
}

func pack(c color.NRGBA) uint32 {
	return uint32(c.R)<<24 | uint32(c.G)<<16 | uint32(c.B)<<8 | uint32(c.A)
}

// nearest is the palette entry closest to c (squared distance, alpha
// included).
func nearest(pal color.Palette, c color.NRGBA) int {
	best, bestD := 0, -1
	for i, p := range pal {
		q := p.(color.NRGBA)
		d := sq(int(q.R)-int(c.R)) + sq(int(q.G)-int(c.G)) + sq(int(q.B)-int(c.B)) + sq(int(q.A)-int(c.A))
		if bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

func sq(v int) int { return v * v }
