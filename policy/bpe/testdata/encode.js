// Encodes a corpus with the JavaScript port of Hugging Face tokenizers (npm @lenml/tokenizers) for
// grit's parity test. Usage: node encode.js CORPUS.json MODELDIR...
// Each MODELDIR holds tokenizer.json and tokenizer_config.json. Prints one JSON object:
// {MODELDIR: {"plain": [[ids]...], "special": [[ids]...]}}, "plain" without and "special" with the
// post-processor's special tokens (add_special_tokens false / true).
const fs = require("fs");
const path = require("path");
const { TokenizerLoader } = require("@lenml/tokenizers");

const readJSON = (p) => JSON.parse(fs.readFileSync(p, "utf8"));
const corpus = readJSON(process.argv[2]);
const out = {};
for (const dir of process.argv.slice(3)) {
  const tok = TokenizerLoader.fromPreTrained({
    tokenizerJSON: readJSON(path.join(dir, "tokenizer.json")),
    tokenizerConfig: readJSON(path.join(dir, "tokenizer_config.json")),
  });
  out[dir] = {
    plain: corpus.map((s) => Array.from(tok.encode(s, { add_special_tokens: false }))),
    special: corpus.map((s) => Array.from(tok.encode(s, { add_special_tokens: true }))),
  };
}
process.stdout.write(JSON.stringify(out));
