// Package bpe loads a Hugging Face tokenizer.json (the format of the `tokenizers` library) and
// encodes and decodes text exactly as that library does, for BPE models: byte-level ones (GPT-2,
// Qwen2/2.5/3, Llama 3, SmolLM2) and SentencePiece-style ones with byte fallback (Llama 2, Mistral).
//
// Encoding runs the library's pipeline in order:
//
//  1. added tokens: the contents of added_tokens are cut out of the raw text first (leftmost, longest
//     match; lstrip/rstrip/single_word honoured) and map to their ids directly;
//  2. normalizer on each remaining piece (NFC/NFD/NFKC/NFKD, Lowercase, Replace, Prepend, Strip,
//     Sequence);
//  3. pre-tokenizer, which cuts a piece into words (Split with the model's regex, ByteLevel, Digits,
//     Metaspace, Sequence);
//  4. the BPE model on each word: start from its characters (or from <0xXX> byte tokens when a
//     character is not in the vocabulary and byte_fallback is on), then repeatedly merge the adjacent
//     pair with the lowest merge rank until no ranked pair is left.
//
// Encode adds no BOS/EOS (like policy.CharTokenizer); AddsBOS reports whether the file's post-processor
// would prepend one, and EncodeWithSpecials applies it. Decode runs the decoder chain (ByteLevel,
// Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence) and keeps special tokens as their text, so
// Decode(Encode(s)) == s; StreamDecoder emits text only at complete UTF-8 boundaries.
//
// Anything the package does not implement (a model type, normalizer, pre-tokenizer, decoder,
// post-processor or regex feature) is a load error that names it; nothing falls back silently.
//
// The pre-tokenizer regexes of these models use look-ahead (`\s+(?!\S)`), which Go's regexp lacks;
// they run on github.com/dlclark/regexp2, a backtracking engine with .NET/Perl syntax. The GPT-2,
// Llama 3 and Qwen2 patterns run on hand-written scanners instead (several times faster), which a
// test checks against the regex engine on random text.
//
// Speed: each pre-token's ids are cached (up to 2^18 distinct words), merges are looked up in a
// pair -> (rank, id) map and applied through a min-heap, so a word of n characters costs O(n log n)
// once. Encode is safe for concurrent use; tokenize a data set from several goroutines.
package bpe
