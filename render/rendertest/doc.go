// Package rendertest holds what the render tests share: a small known
// scenario (tiny.toml: one signalised junction, a red and a green approach,
// two vehicles) and pixel checks of pictures of it. The raster, viewer and
// citytwin-view tests all check their pictures with CheckScene.
package rendertest
