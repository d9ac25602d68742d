#!/usr/bin/python3
"""PyTorch reference for grit's real-shape benchmarks (policy/bench_realshape_test.go).

The same decoder in plain torch (no transformers): token embedding tied to the output head,
pre-norm blocks with RMSNorm, grouped-query attention with RoPE (optional q/k/v biases), SwiGLU
MLP, final RMSNorm. Random weights (std 0.02), uniform random token ids.

  train:  forward + next-token cross-entropy + backward + AdamW step on BATCH x SEQ predicted
          tokens (sequences of SEQ+1 tokens), after one warm-up step; reports tokens/s.
  sample: multinomial sampling at temperature 1 with a KV cache: one prefill of the prompts
          (logits of the last position only), then one token per sequence per step, with its
          log-probability, for NEW tokens; reports generated tokens/s.

Both also report tokens per CPU second (user + system time of the process, all threads) over the
timed part, which is steadier than wall time on a shared machine, and the peak resident set.

Run with Debian's python3-torch (1.13):
  /usr/bin/python3 policy/bench/pytorch_bench.py --model smollm --bench train
  /usr/bin/python3 policy/bench/pytorch_bench.py --model smollm --bench sample
"""
import argparse
import math
import resource
import time

import torch
import torch.nn.functional as F

SHAPES = {
    # SmolLM2-135M
    "smollm": dict(vocab=49152, d=576, heads=9, kv=3, layers=30, hidden=1536, theta=1e5, eps=1e-5, qkv_bias=False),
    # Qwen2.5-0.5B
    "qwen05": dict(vocab=151936, d=896, heads=14, kv=2, layers=24, hidden=4864, theta=1e6, eps=1e-6, qkv_bias=True),
}


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.g = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.g


def rope_tables(hd, n, theta):
    inv = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    ang = torch.outer(torch.arange(n, dtype=torch.float64), inv)
    return torch.cos(ang).float(), torch.sin(ang).float()  # [n, hd/2]


def rotate(x, cos, sin):
    # x [B, H, T, hd]; rotate-half layout (pairs i and i + hd/2), cos/sin [T, hd/2]
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Block(torch.nn.Module):
    def __init__(self, s):
        super().__init__()
        d, hd = s["d"], s["d"] // s["heads"]
        self.h, self.kv, self.hd = s["heads"], s["kv"], hd
        self.ln1, self.ln2 = RMSNorm(d, s["eps"]), RMSNorm(d, s["eps"])
        self.qkv = torch.nn.Linear(d, (self.h + 2 * self.kv) * hd, bias=s["qkv_bias"])
        self.proj = torch.nn.Linear(self.h * hd, d, bias=False)
        self.gate = torch.nn.Linear(d, s["hidden"], bias=False)
        self.up = torch.nn.Linear(d, s["hidden"], bias=False)
        self.down = torch.nn.Linear(s["hidden"], d, bias=False)

    def attend(self, x, cos, sin, cache=None, pos=0):
        B, T, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split([self.h * self.hd, self.kv * self.hd, self.kv * self.hd], dim=-1)
        q = rotate(q.view(B, T, self.h, self.hd).transpose(1, 2), cos, sin)
        k = rotate(k.view(B, T, self.kv, self.hd).transpose(1, 2), cos, sin)
        v = v.view(B, T, self.kv, self.hd).transpose(1, 2)
        if cache is not None:  # [B, KV, ctx, hd] each
            cache[0][:, :, pos:pos + T] = k
            cache[1][:, :, pos:pos + T] = v
            k, v = cache[0][:, :, :pos + T], cache[1][:, :, :pos + T]
        rep = self.h // self.kv
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd)  # [B, H, T, pos+T]
        if T > 1:
            n = k.shape[2]
            mask = torch.ones(T, n, dtype=torch.bool).triu(n - T + 1)
            att = att.masked_fill(mask, float("-inf"))
        out = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, self.h * self.hd)
        return x + self.proj(out)

    def forward(self, x, cos, sin, cache=None, pos=0):
        x = self.attend(x, cos, sin, cache, pos)
        h = self.ln2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(torch.nn.Module):
    def __init__(self, s, ctx):
        super().__init__()
        self.s = s
        self.wte = torch.nn.Embedding(s["vocab"], s["d"])
        self.blocks = torch.nn.ModuleList([Block(s) for _ in range(s["layers"])])
        self.lnf = RMSNorm(s["d"], s["eps"])
        self.cos, self.sin = rope_tables(s["d"] // s["heads"], ctx, s["theta"])
        for name, p in self.named_parameters():
            if p.dim() == 2:
                torch.nn.init.normal_(p, std=0.02)
            elif name.endswith(".bias"):
                torch.nn.init.zeros_(p)

    def hidden(self, ids, caches=None, pos=0):
        T = ids.shape[1]
        cos, sin = self.cos[pos:pos + T], self.sin[pos:pos + T]
        x = self.wte(ids)
        for i, b in enumerate(self.blocks):
            x = b(x, cos, sin, None if caches is None else caches[i], pos)
        return self.lnf(x)

    def head(self, h):
        return h @ self.wte.weight.t()  # tied embeddings


def bench_train(model, batch, seq, iters):
    V = model.s["vocab"]
    ids = torch.randint(0, V, (batch, seq + 1))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)

    def step():
        opt.zero_grad(set_to_none=False)
        logits = model.head(model.hidden(ids[:, :-1]))
        loss = F.cross_entropy(logits.reshape(-1, V), ids[:, 1:].reshape(-1))
        loss.backward()
        opt.step()

    step()  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(iters):
        step()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return batch * seq * iters / dt, dt, batch * seq * iters / cpu


@torch.no_grad()
def bench_sample(model, n, prompt_len, new, iters):
    s = model.s
    V, hd = s["vocab"], s["d"] // s["heads"]
    prompts = torch.randint(0, V, (n, prompt_len))
    ctx = prompt_len + new
    t0, c0 = time.perf_counter(), time.process_time()
    generated = 0
    for _ in range(iters):
        caches = [(torch.zeros(n, s["kv"], ctx, hd), torch.zeros(n, s["kv"], ctx, hd)) for _ in range(s["layers"])]
        h = model.hidden(prompts, caches, 0)[:, -1]  # prefill; logits of the last position only
        pos = prompt_len
        logps = []
        for t in range(new):
            logits = model.head(h)  # [n, V]
            tok = torch.multinomial(logits.softmax(-1), 1)  # temperature 1
            logps.append(logits.log_softmax(-1).gather(1, tok))
            generated += n
            if t == new - 1:
                break
            h = model.hidden(tok, caches, pos)[:, -1]
            pos += 1
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    return generated / dt, dt, generated / cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=sorted(SHAPES), default="smollm")
    ap.add_argument("--bench", choices=["train", "sample"], default="train")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--prompt", type=int, default=64)
    ap.add_argument("--new", type=int, default=128)
    ap.add_argument("--iters", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Model(SHAPES[a.model], max(a.seq + 1, a.prompt + a.new))
    params = sum(p.numel() for p in model.parameters())
    if a.bench == "train":
        tps, dt, tpc = bench_train(model, a.batch, a.seq, a.iters)
        what = f"train {a.batch}x{a.seq}"
    else:
        tps, dt, tpc = bench_sample(model, a.n, a.prompt, a.new, a.iters)
        what = f"sample {a.n} seqs, prompt {a.prompt}, {a.new} new"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"torch {torch.__version__} threads {torch.get_num_threads()} {a.model} ({params} params) {what}: "
          f"{tps:.1f} tok/s ({dt:.1f} s for {a.iters} iteration(s)), {tpc:.1f} tok/cpu-s, peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
