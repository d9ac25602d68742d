#!/usr/bin/env python3
"""Builds the Hugging Face test folders of package hf and their golden per-token log-probabilities.

(a) Writes small random checkpoints of each supported family as Hugging Face folders (config.json,
    safetensors weights, grit's character tokenizer.json): llama with Llama 3 RoPE scaling in the
    transformers v5 config form, sharded in two files; llama tied in BF16 (v4 form, SmolLM2's shape);
    qwen2 tied with lm_head stored, in F16; qwen3 with q/k norm and a head_dim that is not
    hidden_size/num_attention_heads; gpt2 with Conv1D weights, tied.
(b) Computes log p(token[t] | token[:t]) for fixed token sequences with a float64 PyTorch
    implementation of each architecture written from its published definition (rotate-half RoPE,
    Llama 3 frequency scaling, RMSNorm, grouped-query attention, q/k norm, Conv1D, gelu_new), from the
    weights exactly as stored (after BF16/F16 rounding), into golden.json.

Run from this folder with Debian's python3-torch:  python3 make_golden.py
It needs only torch (no transformers, no safetensors package); the Go tests need neither.
"""
import json
import math
import os
import shutil
import struct

import torch

CHARS = "0123456789+-*/=()<>.,:?# \nabcdefghijklmnopqrstuvwxyz!;'_$%"
TOKENIZER = {"type": "char", "chars": CHARS, "pad": 0, "bos": 1, "eos": 2, "unk": 3}
VOCAB = 64
DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}
CONFIG_DTYPE = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}


# ---------------------------------------------------------------- safetensors writer

def tensor_bytes(t, dtype):
    t = t.to(DTYPES[dtype]).contiguous()
    if dtype == "F32":
        return t.numpy().tobytes()
    return t.view(torch.int16).numpy().tobytes()  # raw 16-bit patterns, little-endian


def write_safetensors(path, tensors, dtype):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        b = tensor_bytes(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return offset


def stored(tensors, dtype):
    """The weights as the checkpoint holds them, widened to float64 for the reference."""
    return {k: v.to(DTYPES[dtype]).to(torch.float64) for k, v in tensors.items()}


def write_folder(name, config, tensors, dtype, shards=1, extra_files=None):
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(d, "tokenizer.json"), "w") as f:
        json.dump(TOKENIZER, f)
        f.write("\n")
    for fname, content in (extra_files or {}).items():
        with open(os.path.join(d, fname), "w") as f:
            json.dump(content, f, indent=2)
            f.write("\n")
    if shards == 1:
        write_safetensors(os.path.join(d, "model.safetensors"), tensors, dtype)
        return
    names = sorted(tensors)
    weight_map, total = {}, 0
    for s in range(shards):
        part = names[s * len(names) // shards:(s + 1) * len(names) // shards]
        fname = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
        total += write_safetensors(os.path.join(d, fname), {k: tensors[k] for k in part}, dtype)
        weight_map.update({k: fname for k in part})
    with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- random weights

def rand(gen, *shape, std=0.2, mean=0.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float32) * std + mean


def llama_weights(gen, D, H, KV, hd, I, L, tied, qkv_bias=False, qk_norm=False):
    w = {"model.embed_tokens.weight": rand(gen, VOCAB, D, std=0.5), "model.norm.weight": rand(gen, D, std=0.1, mean=1)}
    for i in range(L):
        p = "model.layers.%d." % i
        w[p + "input_layernorm.weight"] = rand(gen, D, std=0.1, mean=1)
        w[p + "post_attention_layernorm.weight"] = rand(gen, D, std=0.1, mean=1)
        w[p + "self_attn.q_proj.weight"] = rand(gen, H * hd, D)
        w[p + "self_attn.k_proj.weight"] = rand(gen, KV * hd, D)
        w[p + "self_attn.v_proj.weight"] = rand(gen, KV * hd, D)
        w[p + "self_attn.o_proj.weight"] = rand(gen, D, H * hd)
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = rand(gen, H * hd, std=0.3)
            w[p + "self_attn.k_proj.bias"] = rand(gen, KV * hd, std=0.3)
            w[p + "self_attn.v_proj.bias"] = rand(gen, KV * hd, std=0.3)
        if qk_norm:
            w[p + "self_attn.q_norm.weight"] = rand(gen, hd, std=0.2, mean=1)
            w[p + "self_attn.k_norm.weight"] = rand(gen, hd, std=0.2, mean=1)
        w[p + "mlp.gate_proj.weight"] = rand(gen, I, D)
        w[p + "mlp.up_proj.weight"] = rand(gen, I, D)
        w[p + "mlp.down_proj.weight"] = rand(gen, D, I)
    if not tied:
        w["lm_head.weight"] = rand(gen, VOCAB, D, std=0.3)
    return w


def gpt2_weights(gen, D, I, L, ctx):
    w = {"transformer.wte.weight": rand(gen, VOCAB, D, std=0.5), "transformer.wpe.weight": rand(gen, ctx, D, std=0.3),
         "transformer.ln_f.weight": rand(gen, D, std=0.1, mean=1), "transformer.ln_f.bias": rand(gen, D, std=0.1)}
    for i in range(L):
        p = "transformer.h.%d." % i
        for ln in ("ln_1", "ln_2"):
            w[p + ln + ".weight"] = rand(gen, D, std=0.1, mean=1)
            w[p + ln + ".bias"] = rand(gen, D, std=0.1)
        # Conv1D weights are [in, out]
        w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"] = rand(gen, D, 3 * D), rand(gen, 3 * D, std=0.2)
        w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"] = rand(gen, D, D), rand(gen, D, std=0.1)
        w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"] = rand(gen, D, I), rand(gen, I, std=0.1)
        w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"] = rand(gen, I, D), rand(gen, D, std=0.1)
    return w


# ---------------------------------------------------------------- reference forwards (float64)

def rms_norm(x, w, eps):
    return w * (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope_inv_freq(theta, hd, scaling):
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    if scaling is None:
        return inv
    # Llama 3: keep high frequencies, divide low ones by factor, interpolate in between.
    factor, lo_f, hi_f, old = scaling["factor"], scaling["low_freq_factor"], scaling["high_freq_factor"], scaling["original_max_position_embeddings"]
    lo_wavelen, hi_wavelen = old / lo_f, old / hi_f
    wavelen = 2 * math.pi / inv
    out = torch.where(wavelen > lo_wavelen, inv / factor, inv)
    smooth = (old / wavelen - lo_f) / (hi_f - lo_f)
    smoothed = (1 - smooth) * out / factor + smooth * out
    medium = (wavelen >= hi_wavelen) & (wavelen <= lo_wavelen)
    return torch.where(medium, smoothed, out)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def apply_rope(x, inv_freq):  # x [heads, T, hd]
    T = x.shape[1]
    freqs = torch.arange(T, dtype=torch.float64)[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    return x * emb.cos() + rotate_half(x) * emb.sin()


def attention(q, k, v):  # q [H, T, hd], k/v [KV, T, hd]; query head h reads kv head h // (H/KV)
    rep = q.shape[0] // k.shape[0]
    k, v = k.repeat_interleave(rep, dim=0), v.repeat_interleave(rep, dim=0)
    T, hd = q.shape[1], q.shape[2]
    scores = q @ k.transpose(1, 2) / math.sqrt(hd)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v  # [H, T, hd]


def llama_forward(w, cfg, ids, scaling, qk_norm):
    D, H, KV, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["num_hidden_layers"]
    hd, eps = cfg.get("head_dim") or D // H, cfg["rms_norm_eps"]
    theta = cfg["rope_parameters"]["rope_theta"] if "rope_parameters" in cfg else cfg["rope_theta"]
    inv_freq = rope_inv_freq(theta, hd, scaling)
    T = len(ids)
    x = w["model.embed_tokens.weight"][ids]

    def lin(name, h):
        y = h @ w[name + ".weight"].T
        return y + w[name + ".bias"] if name + ".bias" in w else y

    for i in range(L):
        p = "model.layers.%d." % i
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = lin(p + "self_attn.q_proj", h).view(T, H, hd)
        k = lin(p + "self_attn.k_proj", h).view(T, KV, hd)
        v = lin(p + "self_attn.v_proj", h).view(T, KV, hd)
        if qk_norm:  # Qwen3: RMSNorm over each head's hd components, before RoPE
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        q, k = apply_rope(q, inv_freq), apply_rope(k, inv_freq)
        a = attention(q, k, v).transpose(0, 1).reshape(T, H * hd)
        x = x + lin(p + "self_attn.o_proj", a)
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = lin(p + "mlp.gate_proj", h)
        x = x + lin(p + "mlp.down_proj", torch.nn.functional.silu(g) * lin(p + "mlp.up_proj", h))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["lm_head.weight"] if "lm_head.weight" in w else w["model.embed_tokens.weight"]
    return x @ head.T


def gelu_new(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x.pow(3))))


def gpt2_forward(w, cfg, ids):
    D, H, L, eps = cfg["n_embd"], cfg["n_head"], cfg["n_layer"], cfg["layer_norm_epsilon"]
    hd, T = D // H, len(ids)
    ln = lambda x, n: torch.nn.functional.layer_norm(x, (D,), w[n + ".weight"], w[n + ".bias"], eps)
    conv1d = lambda x, n: x @ w[n + ".weight"] + w[n + ".bias"]  # weight [in, out]
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(T)]
    for i in range(L):
        p = "transformer.h.%d." % i
        qkv = conv1d(ln(x, p + "ln_1"), p + "attn.c_attn")
        q, k, v = (t.view(T, H, hd).transpose(0, 1) for t in qkv.split(D, dim=-1))
        a = attention(q, k, v).transpose(0, 1).reshape(T, D)
        x = x + conv1d(a, p + "attn.c_proj")
        x = x + conv1d(gelu_new(conv1d(ln(x, p + "ln_2"), p + "mlp.c_fc")), p + "mlp.c_proj")
    return ln(x, "transformer.ln_f") @ w["transformer.wte.weight"].T


def token_logprobs(logits, ids):
    lp = torch.log_softmax(logits, dim=-1)
    return [lp[t - 1, ids[t]].item() for t in range(1, len(ids))]


# ---------------------------------------------------------------- the fixtures

def main():
    gen = torch.Generator().manual_seed(20261202)
    seqs = [[1] + torch.randint(4, 62, (n,), generator=gen).tolist() for n in (63, 17, 40)]
    golden = {}

    def record(name, forward):
        golden[name] = {"tokens": seqs, "logprobs": [token_logprobs(forward(ids), ids) for ids in seqs]}

    common = {"vocab_size": VOCAB, "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2,
              "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64, "hidden_act": "silu",
              "initializer_range": 0.02, "use_cache": True, "bos_token_id": 1, "eos_token_id": 2, "attention_dropout": 0.0}

    # llama: Llama 3 RoPE scaling, transformers v5 config form, untied, F32 in two shards.
    scaling = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 32}
    cfg = dict(common, model_type="llama", architectures=["LlamaForCausalLM"], rms_norm_eps=1e-5,
               rope_parameters=dict(scaling, rope_theta=500000.0), tie_word_embeddings=False, attention_bias=False,
               mlp_bias=False, head_dim=8, dtype="float32", transformers_version="5.0.0")
    w = llama_weights(gen, 32, 4, 2, 8, 48, 2, tied=False)
    write_folder("llama3-scaled-sharded", cfg, w, "F32", shards=2)
    record("llama3-scaled-sharded", lambda ids: llama_forward(stored(w, "F32"), cfg, ids, scaling, False))

    # llama tied (SmolLM2's shape), BF16, transformers v4 config form, lm_head omitted.
    cfg = dict(common, model_type="llama", architectures=["LlamaForCausalLM"], rms_norm_eps=1e-5, rope_theta=100000.0,
               rope_scaling=None, tie_word_embeddings=True, attention_bias=False, mlp_bias=False, pretraining_tp=1,
               torch_dtype="bfloat16", transformers_version="4.42.3", num_key_value_heads=1)
    w = llama_weights(gen, 32, 4, 1, 8, 48, 2, tied=True)
    write_folder("llama-tied-bf16", cfg, w, "BF16", extra_files={
        "tokenizer_config.json": {"model_max_length": 64, "tokenizer_class": "grit-char"},
        "generation_config.json": {"bos_token_id": 1, "eos_token_id": 2}})
    record("llama-tied-bf16", lambda ids: llama_forward(stored(w, "BF16"), cfg, ids, None, False))

    # qwen2: q/k/v biases, tied with lm_head stored (equal to the embedding), F16.
    cfg = dict(common, model_type="qwen2", architectures=["Qwen2ForCausalLM"], rms_norm_eps=1e-6, rope_theta=1000000.0,
               tie_word_embeddings=True, use_sliding_window=False, sliding_window=32, max_window_layers=2,
               torch_dtype="float16", transformers_version="4.43.1")
    w = llama_weights(gen, 32, 4, 2, 8, 48, 2, tied=True, qkv_bias=True)
    w["lm_head.weight"] = w["model.embed_tokens.weight"].clone()
    write_folder("qwen2-tied-f16", cfg, w, "F16")
    record("qwen2-tied-f16", lambda ids: llama_forward(stored(w, "F16"), cfg, ids, None, False))

    # qwen3: q/k norm, head_dim 12 != 32/4, untied, F32.
    cfg = dict(common, model_type="qwen3", architectures=["Qwen3ForCausalLM"], rms_norm_eps=1e-6, rope_theta=1000000.0,
               head_dim=12, tie_word_embeddings=False, attention_bias=False, use_sliding_window=False,
               layer_types=["full_attention", "full_attention"], torch_dtype="float32", transformers_version="4.51.0")
    w = llama_weights(gen, 32, 4, 2, 12, 48, 2, tied=False, qk_norm=True)
    write_folder("qwen3", cfg, w, "F32")
    record("qwen3", lambda ids: llama_forward(stored(w, "F32"), cfg, ids, None, True))

    # gpt2: Conv1D weights, learned positions, tied (lm_head omitted), F32.
    cfg = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": VOCAB, "n_positions": 64, "n_embd": 32,
           "n_layer": 2, "n_head": 4, "n_inner": None, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
           "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "scale_attn_weights": True,
           "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "float32", "transformers_version": "4.42.3"}
    w = gpt2_weights(gen, 32, 128, 2, 64)
    write_folder("gpt2", cfg, w, "F32")
    record("gpt2", lambda ids: gpt2_forward(stored(w, "F32"), cfg, ids))

    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main()
