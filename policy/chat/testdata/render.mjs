// Renders chat templates with @huggingface/jinja, the JavaScript Jinja of transformers.js, as the
// independent reference of policy/chat's parity test.
//
//   node render.mjs NODE_MODULES_PARENT < cases.json > results.json
//
// cases.json is a list of {config, messages, add_generation_prompt, enable_thinking (optional),
// system_prompt, now}: config is a tokenizer_config.json path, now an ISO date-time (UTC) that
// strftime_now formats. The template context is built here the way transformers'
// apply_chat_template builds it, independently of the Go code (raise_exception and strftime_now
// are @huggingface/jinja's own). The output is a list of {text} or {error}, one per case.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = process.argv[2];
const { Template } = await import(
  pathToFileURL(join(root, "node_modules", "@huggingface", "jinja", "dist", "index.js")).href
);

const SPECIALS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];
// strftime_now is @huggingface/jinja's own, reading new Date(): the clock is pinned to each case's
// "now" (the Go test runs node with TZ=UTC and an en-US locale).
const RealDate = Date;
let pinnedMs = 0;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(pinnedMs);
    else super(...args);
  }
  static now() {
    return pinnedMs;
  }
};

function tokenText(v) {
  if (v === null || v === undefined) return undefined;
  return typeof v === "string" ? v : v.content;
}

function render(c) {
  const cfg = JSON.parse(readFileSync(c.config, "utf8"));
  let source = cfg.chat_template;
  if (Array.isArray(source)) source = source.find((t) => t.name === "default").template;
  const messages = c.messages.map((m) => ({ role: m.role, content: m.content }));
  if (c.system_prompt) messages.unshift({ role: "system", content: c.system_prompt });
  pinnedMs = RealDate.parse(c.now);
  const ctx = {
    messages,
    add_generation_prompt: c.add_generation_prompt,
    tools: null,
    documents: null,
  };
  for (const name of SPECIALS) {
    const t = tokenText(cfg[name]);
    if (t !== undefined) ctx[name] = t;
  }
  if (c.enable_thinking !== undefined && c.enable_thinking !== null) ctx.enable_thinking = c.enable_thinking;
  return new Template(source).render(ctx);
}

const cases = JSON.parse(readFileSync(0, "utf8"));
const out = cases.map((c) => {
  try {
    return { text: render(c) };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify(out));
