// Package hf loads Hugging Face causal language models into grit policies and saves them back.
//
// Importing it registers the model types "llama" (Llama 2/3.x, SmolLM2), "qwen2" (Qwen2, Qwen2.5),
// "qwen3" and "gpt2" with policy.LoadPolicy, which dispatches on config.json's model_type:
//
//	import _ "grit/policy/hf"
//
//	p, err := policy.LoadPolicy("path/to/SmolLM2-135M") // config.json, model.safetensors(.index.json), tokenizer.json
//
// The folder's tokenizer.json is read through policy's tokenizer registry (import the package that
// implements its kind as well). The loaded policy is grit's GPT with the switches the family needs,
// so it trains and samples like any grit policy; its Save writes a folder transformers opens again.
// The loaded value is a *Model: its embedded GPT field is the decoder itself (for code that needs
// *policy.GPT); save through Model.Save, not GPT.Save, to keep the Hugging Face layout.
//
// What is read, with transformers' semantics:
//
//   - Weights: model.safetensors, or the shards named by model.safetensors.index.json when there is no
//     single file (transformers' order). F32, BF16 and F16 tensors become float32 in memory. Every
//     tensor's name, shape and dtype is checked against config.json: a missing, unexpected or
//     misshapen tensor is an error naming it. Ignored, because they hold no weights: Llama's
//     rotary_emb.inv_freq buffers and GPT-2's attn.bias / attn.masked_bias mask buffers that older
//     transformers versions saved.
//   - llama: RMSNorm (float32) with rms_norm_eps, SwiGLU ("silu"), RoPE in the rotate-half layout with
//     rope_theta and optionally rope_scaling type "llama3", grouped-query attention, head_dim. The
//     attention_bias and mlp_bias keys are honoured when both are true or both false.
//   - qwen2: llama's blocks plus biases on q_proj, k_proj and v_proj (none on o_proj or the MLP).
//   - qwen3: llama's blocks plus per-head RMSNorm of queries and keys (q_norm, k_norm) before RoPE, and
//     a head_dim that need not be hidden_size/num_attention_heads.
//   - gpt2: learned positions, LayerNorm with bias (layer_norm_epsilon), tanh-GELU (gelu_new or
//     gelu_pytorch_tanh), biases everywhere, Conv1D weights stored [in, out] (transposed on load and
//     back on save), c_attn's fused [q | k | v] output. Names with or without the "transformer."
//     prefix are read; Save writes the prefix.
//   - Both config forms: transformers v4 (rope_theta + rope_scaling, torch_dtype) and v5
//     (rope_parameters, dtype).
//   - Defaults for absent keys are the configuration classes' own: tie_word_embeddings false for the
//     Llama and Qwen families and true for GPT-2, rms_norm_eps 1e-6, rope_theta 10000, n_inner
//     4*n_embd, layer_norm_epsilon 1e-5, num_key_value_heads = num_attention_heads. Shape keys
//     (vocab_size, hidden_size, ...) and Qwen3's head_dim are required.
//   - Tied embeddings: a tied checkpoint may omit lm_head.weight (usual) or include it; when included
//     it must equal the token embedding bit for bit (anything else contradicts tie_word_embeddings and
//     is an error) and is then dropped.
//   - Rejected with an error naming the key: sliding-window attention (use_sliding_window, layer_types
//     other than full_attention), rope types other than default and llama3, partial_rotary_factor
//     != 1, quantization_config, Qwen3 attention_bias, GPT-2 scale_attn_by_inverse_layer_idx /
//     add_cross_attention / scale_attn_weights false, other activations, another architectures class.
//     Keys transformers' model code does not read (initializer_range, use_cache, token ids, dropout
//     rates, ...) are ignored as transformers ignores them.
//
// Save writes model.safetensors as float32 in one file (tied lm_head left out, as transformers
// does), config.json with the source's keys (dtype / torch_dtype set to "float32"; model_type and
// architectures present), and copies the source's tokenizer.json, tokenizer_config.json,
// special_tokens_map.json, generation_config.json (and vocab.json, merges.txt, tokenizer.model,
// added_tokens.json) when it had them. Loading that folder again gives the same tensors and config.
//
// testdata/make_golden.py builds the test folders (small random checkpoints of each family) and the
// per-token log-probabilities they are checked against, with an independent PyTorch implementation.
package hf
