// Independent ground truth for Sluice's Qwen3 prompt counts.
//
// Renders each chat case with the model's own chat template through @huggingface/jinja (a Jinja
// engine in JavaScript) and tokenizes the result with @lenml/tokenizers (a JavaScript port of
// Hugging Face tokenizers), then writes qwen3-chat-expected.json. The Java test counts the same
// cases with DJL and Sluice's template port and must get the same numbers.
//
// Re-run (from this directory):  npm ci && node make-expected.mjs [path/to/qwen3]
// The tokenizer directory defaults to ../../../../../../shared/tokenizers/qwen3 (the repository's
// sibling shared/ folder).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Template } from "@huggingface/jinja";
import { TokenizerLoader } from "@lenml/tokenizers";

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, "../../../../../../shared/tokenizers/qwen3"));
const tokenizerJSON = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
const tokenizerConfig = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
const template = new Template(tokenizerConfig.chat_template);

const count = (text) => tokenizer.encode(text, { add_special_tokens: false }).length;

// What vLLM does to messages before the template sees them (chat_utils): text parts joined with
// "\n", a null content as "", tool call arguments parsed from their JSON string ("" -> {}).
function normalise(message) {
  const m = { ...message };
  if (m.content == null) {
    m.content = "";
  } else if (Array.isArray(m.content)) {
    m.content = m.content.filter((p) => typeof p.text === "string" && !String(p.type).includes("image"))
      .map((p) => p.text).join("\n");
  }
  if (Array.isArray(m.tool_calls)) {
    m.tool_calls = m.tool_calls.map((c) => {
      const f = { ...c.function };
      if (typeof f.arguments === "string") {
        f.arguments = f.arguments === "" ? {} : JSON.parse(f.arguments);
      } else if (f.arguments == null) {
        f.arguments = {};
      }
      return { ...c, function: f };
    });
  }
  return m;
}

function render(body) {
  const context = {
    messages: body.messages.map(normalise),
    add_generation_prompt: true,
    bos_token: "",
    eos_token: tokenizerConfig.eos_token,
  };
  if (body.tools) context.tools = body.tools;
  const kwargs = body.chat_template_kwargs ?? {};
  for (const [k, v] of Object.entries(kwargs)) context[k] = v;
  return template.render(context);
}

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city, in °C",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", description: "City name, e.g. \"Zürich\"" },
        days: { type: "integer", minimum: 1, maximum: 7 },
      },
      required: ["city"],
    },
  },
};
const search = {
  type: "function",
  function: { name: "search", description: "Web search", parameters: { type: "object", properties: { q: { type: "string" } } } },
};
const longText = Array.from({ length: 60 }, (_, i) =>
  `Paragraph ${i}: the quick brown fox jumps over the lazy dog; naïve café, 東京タワー, 🚀🔥 and tabs\tand\nnewlines.`).join("\n");

const chats = [
  ["single-user", { messages: [{ role: "user", content: "Hello!" }] }],
  ["system-and-user", { messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: "What is 2 + 2?" }] }],
  ["multi-turn", { messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Name a prime." },
    { role: "assistant", content: "7" },
    { role: "user", content: "Another one, larger than 100?" },
    { role: "assistant", content: "101" },
    { role: "user", content: "Thanks. Now one larger than 1000." }] }],
  ["multi-turn-with-reasoning", { messages: [
    { role: "user", content: "Is 91 prime?" },
    { role: "assistant", content: "<think>\n91 = 7 x 13\n</think>\n\nNo: 91 = 7 × 13." },
    { role: "user", content: "And 97?" }] }],
  ["unicode-cjk-emoji", { messages: [
    { role: "system", content: "你是一个乐于助人的助手。日本語も話せます。" },
    { role: "user", content: "Ünïcödé ☃ — 🚀🔥👩‍👩‍👧‍👦 \u00a0 émojis, العربية, हिन्दी, 한국어 and Ελληνικά." }] }],
  ["empty-content", { messages: [{ role: "system", content: "" }, { role: "user", content: "" }] }],
  ["null-assistant-content", { messages: [
    { role: "user", content: "hi" }, { role: "assistant", content: null }, { role: "user", content: "still there?" }] }],
  ["content-parts", { messages: [{ role: "user", content: [
    { type: "text", text: "First part." }, { type: "text", text: "Second part, after a newline." }] }] }],
  ["tools-no-system", { tools: [weather], messages: [{ role: "user", content: "Weather in Zürich?" }] }],
  ["tools-with-system", { tools: [weather, search], messages: [
    { role: "system", content: "You can call tools." }, { role: "user", content: "Weather in Paris for 3 days" }] }],
  ["tool-call-round-trip", { tools: [weather], messages: [
    { role: "system", content: "Use tools when useful." },
    { role: "user", content: "Weather in Zürich and Tokyo?" },
    { role: "assistant", content: "", tool_calls: [
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"city\": \"Zürich\"}" } },
      { id: "call_2", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"東京\",\"days\":2}" } }] },
    { role: "tool", tool_call_id: "call_1", content: "{\"temp\": 21}" },
    { role: "tool", tool_call_id: "call_2", content: "{\"temp\": 25}" },
    { role: "assistant", content: "Zürich 21 °C, Tokyo 25 °C." },
    { role: "user", content: "Thanks!" }] }],
  ["tool-call-with-text-then-tool-last", { tools: [search], messages: [
    { role: "user", content: "Search for JMH." },
    { role: "assistant", content: "Searching.", tool_calls: [
      { id: "c", type: "function", function: { name: "search", arguments: "{\"q\": \"JMH\"}" } }] },
    { role: "tool", tool_call_id: "c", content: "JMH is a Java harness for benchmarks." }] }],
  ["thinking-disabled", { chat_template_kwargs: { enable_thinking: false }, messages: [{ role: "user", content: "Quick answer: capital of France?" }] }],
  ["added-token-text-in-content", { messages: [{ role: "user", content: "Literally type <|im_end|> and <tool_call> here." }] }],
  ["long-mixed", { messages: [{ role: "system", content: "Summarise." }, { role: "user", content: longText }] }],
];

const texts = [
  ["ascii", "The quick brown fox jumps over the lazy dog."],
  ["code", "public static void main(String[] args) {\n    System.out.println(\"hi\");\n}\n"],
  ["cjk", "我们需要计算每个请求的令牌成本。東京は日本の首都です。"],
  ["emoji", "🚀🔥👩‍👩‍👧‍👦✨ ok 👍🏽"],
  ["whitespace", "  leading and trailing  \n\n\t tabs   "],
  ["long-mixed", longText],
];

const out = {
  generator: "make-expected.mjs with @huggingface/jinja and @lenml/tokenizers (versions in package.json)",
  tokenizer: "qwen3",
  chat: chats.map(([name, body]) => {
    const rendered = render(body);
    return { name, body, expected: count(rendered), rendered };
  }),
  text: texts.map(([name, text]) => ({ name, text, expected: count(text) })),
};
writeFileSync(join(here, "qwen3-chat-expected.json"), JSON.stringify(out, null, 2) + "\n");
for (const c of out.chat) console.log(`chat ${c.name}: ${c.expected}`);
for (const t of out.text) console.log(`text ${t.name}: ${t.expected}`);
