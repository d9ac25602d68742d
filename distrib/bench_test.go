package distrib

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"grit/envs"
	"grit/policy"
	"grit/trainers"
)

// benchServer is an embedded server with the learner's streams, and a second connection as the
// worker's.
func benchServer(b *testing.B) (learner, worker jetstream.JetStream, results jetstream.Consumer, obj jetstream.ObjectStore) {
	b.Helper()
	srv, err := StartEmbedded("127.0.0.1:-1", b.TempDir(), Auth{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	nc, js, err := connect(srv.URL, Auth{}, "bench-learner")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc.Close)
	results, obj, err = setupStreams(context.Background(), js, 30*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	nc2, js2, err := connect(srv.URL, Auth{}, "bench-worker")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nc2.Close)
	return js, js2, results, obj
}

// tinyGroup plays one group of the tiny config on its base policy: the result a worker sends.
func tinyGroup(b *testing.B) (*task, []*trainers.Trajectory) {
	b.Helper()
	cfg := tinyConfig(b)
	gp, heldOut := tinyPlayer(b, cfg)
	tk := heldOut[0]
	trajs, err := gp.PlayGroup(context.Background(), tk, 0, cfg.NumGenerations, cfg.Seed, 0)
	if err != nil {
		b.Fatal(err)
	}
	return &task{ID: taskID(0, 0, 0), Session: "bench", Copies: cfg.NumGenerations, Seed: cfg.Seed, Task: tk}, trajs
}

// One group's task and result through JetStream at the tiny shape (4 episodes of a few tokens):
// encode the task, publish, pull it as a worker, decode; encode the result as Arrow, publish, pull
// it as the learner, decode and validate; ack both. Sampling itself is not included.
func BenchmarkTaskResultRoundTrip(b *testing.B) {
	ctx := context.Background()
	js, wjs, results, _ := benchServer(b)
	tasks, err := wjs.Consumer(ctx, tasksStream, workersConsumer)
	if err != nil {
		b.Fatal(err)
	}
	tk, trajs := tinyGroup(b)
	var bytesMoved int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body, _ := tk.encode()
		if _, err := js.Publish(ctx, tasksSubject, body); err != nil {
			b.Fatal(err)
		}
		msg := fetchOne(b, tasks)
		got, err := decodeTask(msg.Data())
		if err != nil {
			b.Fatal(err)
		}
		res, err := encodeResult(resultMeta{TaskID: got.ID, WorkerID: "w", Version: got.Version}, trajs)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := wjs.Publish(ctx, resultsSubject, res); err != nil {
			b.Fatal(err)
		}
		if err := msg.Ack(); err != nil {
			b.Fatal(err)
		}
		rmsg := fetchOne(b, results)
		if _, _, _, err := decodeResult(rmsg.Data(), tk); err != nil {
			b.Fatal(err)
		}
		if err := rmsg.Ack(); err != nil {
			b.Fatal(err)
		}
		bytesMoved = len(body) + len(res)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/roundtrip")
	b.ReportMetric(float64(bytesMoved), "bytes/roundtrip")
}

func fetchOne(b *testing.B, c jetstream.Consumer) jetstream.Msg {
	batch, err := c.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	for msg := range batch.Messages() {
		return msg
	}
	b.Fatal("no message within 5 s")
	return nil
}

// Rollout phase of one step of configs/ci/grpo.yaml's shape (16 prompts x 8 generations) through
// the learner with 0 (it plays every group itself after wait_s), 1 and 2 in-process workers. On a
// machine whose cores are shared, workers add no compute; the numbers show the overhead.
func BenchmarkRolloutPhase(b *testing.B) {
	for _, n := range []int{0, 1, 2} {
		b.Run(fmt.Sprintf("%d_workers", n), func(b *testing.B) {
			sets := append(append([]string{}, workerSets...), "prompts_per_step=16", "num_generations=8")
			if n == 0 {
				sets = append(sets, "workers.local=true", "workers.wait_s=0.001")
			}
			cfg := tinyConfig(b, sets...)
			ctx, cancel, l := startTestLearner(b, cfg, b.TempDir(), nil)
			defer cancel()
			defer l.Close()
			for i := 0; i < n; i++ {
				go RunWorker(ctx, WorkerOptions{URL: l.URL, ID: fmt.Sprintf("b%d", i), CacheDir: b.TempDir()})
			}
			pol, err := policy.LoadPolicy(cfg.Init)
			if err != nil {
				b.Fatal(err)
			}
			gp, err := trainers.NewGroupPlayer(cfg, pol)
			if err != nil {
				b.Fatal(err)
			}
			defer gp.Close()
			env, _ := envs.New(cfg.Env, cfg.EnvArgs)
			tasks := env.Tasks().HeldOut()[:cfg.PromptsPerStep]
			tokens := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req := trainers.RoundRequest{Step: i, Tasks: tasks, Copies: cfg.NumGenerations, Seed: cfg.Seed,
					StepKey: uint64(i) << 8, Policy: pol}
				req.Local = func(ctx context.Context, g int) ([]*trainers.Trajectory, error) {
					return gp.PlayGroup(ctx, tasks[g], g, req.Copies, req.Seed, req.StepKey)
				}
				trajs, err := l.PlayRound(ctx, req, trainers.Metrics{})
				if err != nil {
					b.Fatal(err)
				}
				for _, tr := range trajs {
					tokens += tr.GeneratedTokens()
				}
			}
			b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/step")
		})
	}
}

// smolLM2Shape is SmolLM2-135M's architecture (134.5M parameters; see policy's real-shape benchmarks).
func smolLM2Shape() policy.Config {
	return policy.Config{Vocab: 49152, DModel: 576, NHeads: 9, NKVHeads: 3, NLayers: 30, MLPHidden: 1536, Context: 2048,
		Norm: policy.RMSNorm, Activation: policy.SwiGLU, Positions: policy.RoPEPositions, RoPETheta: 100000, NormEps: 1e-5, TieEmbeddings: true}
}

// bf16Bytes packs float32 values as bfloat16 (round to nearest even), 2 bytes each.
func bf16Bytes(dst []byte, xs []float32) []byte {
	for _, x := range xs {
		u := math.Float32bits(x)
		u += 0x7fff + (u>>16)&1
		dst = binary.LittleEndian.AppendUint16(dst, uint16(u>>16))
	}
	return dst
}

// Weight broadcast of a SmolLM2-135M-shaped policy over loopback: the learner packs every parameter
// as bf16 and puts it in the Object Store; a worker's connection gets it and unpacks it. The run
// itself sends float32 safetensors (bit-exact); f32 measures that payload the same way.
func BenchmarkWeightBroadcast135M(b *testing.B) {
	if testing.Short() {
		b.Skip("-short: moves 270-540 MB per iteration")
	}
	m, err := policy.NewGPTShapes(smolLM2Shape(), policy.DefaultCharTokenizer())
	if err != nil {
		b.Fatal(err)
	}
	n := policy.CountParams(m)
	// client_512k is the path before: 512 KiB chunks and the client's GetBytes.
	for _, name := range []string{"bf16", "f32", "bf16_client_512k"} {
		dtype, client := name[:min(4, len(name))], strings.HasSuffix(name, "client_512k")
		chunks := chunkOptions(maxPayload)
		if client {
			chunks = &jetstream.ObjectMetaOptions{ChunkSize: 512 << 10}
		}
		b.Run(name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
			defer cancel()
			js, wjs, _, obj := benchServer(b)
			_ = js
			wobj, err := wjs.ObjectStore(ctx, policyBucket)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 4*n)
			var packS, putS, getS float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				buf = buf[:0]
				for _, p := range m.Params() {
					if dtype == "bf16" {
						buf = bf16Bytes(buf, p.Value.Data)
					} else {
						for _, x := range p.Value.Data {
							buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
						}
					}
				}
				t1 := time.Now()
				if _, err := obj.Put(ctx, jetstream.ObjectMeta{Name: "weights", Opts: chunks}, bytes.NewReader(buf)); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				var got []byte
				if client {
					got, err = wobj.GetBytes(ctx, "weights")
				} else {
					got, err = getObject(ctx, wobj, "weights")
				}
				if err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				packS, putS, getS = packS+t1.Sub(t0).Seconds(), putS+t2.Sub(t1).Seconds(), getS+t3.Sub(t2).Seconds()
				if len(got) != len(buf) {
					b.Fatalf("got %d bytes, sent %d", len(got), len(buf))
				}
				off := 0
				for _, p := range m.Params() { // unpack into the tensors, as a worker would
					for j := range p.Value.Data {
						if dtype == "bf16" {
							p.Value.Data[j] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(got[off:])) << 16)
							off += 2
						} else {
							p.Value.Data[j] = math.Float32frombits(binary.LittleEndian.Uint32(got[off:]))
							off += 4
						}
					}
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/broadcast")
			b.ReportMetric(packS/float64(b.N), "pack_s")
			b.ReportMetric(putS/float64(b.N), "put_s")
			b.ReportMetric(getS/float64(b.N), "get_s")
			b.ReportMetric(float64(len(buf))/1e6, "MB")
			b.ReportMetric(float64(n), "params")
		})
	}
}

// A policy version of the SmolLM2-135M shape the way a run moves its first version: publishPolicy
// (save the safetensors file, rewrite it as bf16 when asked, upload) and fetchPolicy on a worker's
// connection (download into the cache folder, load). Later versions are encoded from memory and
// loaded in place (weightslayout.go).
func BenchmarkPolicyVersion135M(b *testing.B) {
	if testing.Short() {
		b.Skip("-short: moves 270-540 MB per iteration")
	}
	m, err := policy.NewGPTShapes(smolLM2Shape(), policy.DefaultCharTokenizer())
	if err != nil {
		b.Fatal(err)
	}
	for _, dtype := range []string{trainers.WeightsBF16, trainers.WeightsF32} {
		b.Run(dtype, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), transferTimeout)
			defer cancel()
			_, wjs, _, obj := benchServer(b)
			wobj, err := wjs.ObjectStore(ctx, policyBucket)
			if err != nil {
				b.Fatal(err)
			}
			cfg := tinyConfig(b)
			cfg.Workers.WeightsDType = dtype
			var pubS, fetchS float64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if err := publishPolicy(ctx, obj, i, m, cfg, chunkOptions(maxPayload)); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				got, _, _, err := fetchPolicy(ctx, wobj, i, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				pubS, fetchS = pubS+t1.Sub(t0).Seconds(), fetchS+t2.Sub(t1).Seconds()
				if policy.CountParams(got) != policy.CountParams(m) {
					b.Fatal("fetched policy has another shape")
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/version")
			b.ReportMetric(pubS/float64(b.N), "publish_s")
			b.ReportMetric(fetchS/float64(b.N), "fetch_s")
		})
	}
}
