package faces

import (
	"context"
	"fmt"
)

var featureSpec = modelSpec{
	name:    "fr_feature",
	in:      []int64{1, 3, AlignSize, AlignSize},
	outName: []string{"output"},
	out:     [][]int64{{1, EmbeddingSize}},
	// The NCHWc layout rewrite makes this model 3.4× slower on AVX-512
	// (56 ms against 17 ms a run, one thread); it speeds up the other two.
	slowOptimizers: "NchwcTransformer",
}

// onnxEmbedder is the recognition model: RGB, (v−127)/128, channel-first;
// its raw 512 numbers are normalised here.
type onnxEmbedder struct{ m *model }

func (e onnxEmbedder) ModelID() string { return e.m.id }

func (e onnxEmbedder) Embed(ctx context.Context, face *RGB) ([]float32, float32, error) {
	if face.W != AlignSize || face.H != AlignSize || face.valid() != nil {
		return nil, 0, fmt.Errorf("faces: embed needs a %d×%d aligned face", AlignSize, AlignSize)
	}
	emb := make([]float32, EmbeddingSize)
	err := e.m.run(ctx, func(in []float32) {
		plane := AlignSize * AlignSize
		for i := range plane {
			p := face.Pix[i*3:]
			in[i] = (float32(p[0]) - 127) / 128
			in[plane+i] = (float32(p[1]) - 127) / 128
			in[2*plane+i] = (float32(p[2]) - 127) / 128
		}
	}, func(outs ...[]float32) { copy(emb, outs[0]) })
	if err != nil {
		return nil, 0, err
	}
	return emb, normalise(emb), nil
}
