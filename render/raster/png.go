package raster

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
)

// WritePNG encodes img as PNG with the best compression.
func WritePNG(w io.Writer, img image.Image) error {
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, img); err != nil {
		return fmt.Errorf("raster: %w", err)
	}
	return nil
}

// WritePNGFile writes img to the named file as PNG.
func WritePNGFile(name string, img image.Image) error {
	return writeFile(name, func(w io.Writer) error { return WritePNG(w, img) })
}

func writeFile(name string, enc func(io.Writer) error) (err error) {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("raster: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("raster: %w", cerr)
		}
	}()
	bw := bufio.NewWriter(f)
	if err := enc(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("raster: %w", err)
	}
	return nil
}
