// The official `openai` npm client against the router: chat plain and streamed, tools streamed
// and not, n=2, JSON mode, embeddings with the client's default encoding (base64), models.list and
// models.retrieve, the Responses API plain and streamed.
import OpenAI from 'openai';
import { model, routerUrl, run, weatherParameters } from './common.mjs';

const client = new OpenAI({ baseURL: `${routerUrl}/v1`, apiKey: 'test-key', maxRetries: 0, timeout: 20_000 });
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: weatherParameters } }];
const user = (content) => [{ role: 'user', content }];

await run({
  chat: async () => {
    const r = await client.chat.completions.create({ model, messages: user('Hello!'), max_tokens: 8 });
    return { content: r.choices[0].message.content, finish: r.choices[0].finish_reason, usage: r.usage };
  },
  chatStream: async () => {
    const stream = await client.chat.completions.create({
      model, messages: user('Stream please'), max_tokens: 8, stream: true, stream_options: { include_usage: true },
    });
    let content = '';
    let finish = null;
    let usage = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      for (const c of chunk.choices) {
        content += c.delta?.content ?? '';
        finish = c.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    return { content, finish, usage, chunks };
  },
  tools: async () => {
    const r = await client.chat.completions.create({ model, messages: user('What is the weather in Paris?'), tools });
    const call = r.choices[0].message.tool_calls[0];
    return { finish: r.choices[0].finish_reason, id: call.id, name: call.function.name, arguments: JSON.parse(call.function.arguments) };
  },
  toolsStream: async () => {
    // The client's stream helper assembles tool-call deltas as vLLM sends them.
    const runner = client.chat.completions.stream({ model, messages: user('Weather?'), tools, tool_choice: 'required' });
    const done = await runner.finalChatCompletion();
    const call = done.choices[0].message.tool_calls[0];
    return { finish: done.choices[0].finish_reason, id: call.id, name: call.function.name, arguments: JSON.parse(call.function.arguments) };
  },
  n2: async () => {
    const r = await client.chat.completions.create({ model, messages: user('Two answers'), n: 2, max_tokens: 6 });
    return { indexes: r.choices.map((c) => c.index), contents: r.choices.map((c) => c.message.content), usage: r.usage };
  },
  jsonMode: async () => {
    const r = await client.chat.completions.create({ model, messages: user('Answer in JSON'), response_format: { type: 'json_object' } });
    return { parsed: JSON.parse(r.choices[0].message.content), finish: r.choices[0].finish_reason };
  },
  embeddings: async () => {
    // No encoding_format: the client asks for base64 and decodes it to floats.
    const r = await client.embeddings.create({ model, input: ['hello', 'world'] });
    const v = r.data[0].embedding;
    return { count: r.data.length, dims: v.length, norm: Math.sqrt(v.reduce((s, x) => s + x * x, 0)), first: v.slice(0, 4) };
  },
  embeddingsFloat: async () => {
    const r = await client.embeddings.create({ model, input: ['hello'], encoding_format: 'float' });
    return { first: r.data[0].embedding.slice(0, 4) };
  },
  models: async () => {
    const ids = [];
    for await (const m of client.models.list()) {
      ids.push(m.id);
    }
    return { ids };
  },
  modelsRetrieve: async () => {
    const m = await client.models.retrieve(model);
    return { id: m.id, object: m.object };
  },
  responses: async () => {
    const r = await client.responses.create({ model, instructions: 'Be brief.', input: 'Hello!', max_output_tokens: 8 });
    return { text: r.output_text, status: r.status, usage: r.usage };
  },
  responsesStream: async () => {
    const stream = await client.responses.create({ model, input: 'Stream please', max_output_tokens: 8, stream: true });
    let text = '';
    let deltas = 0;
    let completed = null;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') {
        deltas++;
        text += event.delta;
      } else if (event.type === 'response.completed') {
        completed = event.response;
      }
    }
    return { text, deltas, usage: completed?.usage ?? null };
  },
});
