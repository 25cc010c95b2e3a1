// The Vercel AI SDK (`ai` + `@ai-sdk/openai`) against the router, through its Chat Completions
// model (`openai.chat`): text plain and streamed, tools streamed and not, a JSON object from a
// schema (JSON mode), and embeddings; and its default model, the Responses API, plain and streamed.
import { createOpenAI } from '@ai-sdk/openai';
import { embed, generateObject, generateText, jsonSchema, streamText, tool } from 'ai';
import { model, routerUrl, run, weatherParameters } from './common.mjs';

const openai = createOpenAI({ baseURL: `${routerUrl}/v1`, apiKey: 'test-key' });
const chat = openai.chat(model);
const tools = { get_weather: tool({ description: 'Weather in a city', inputSchema: jsonSchema(weatherParameters) }) };

await run({
  chat: async () => {
    const r = await generateText({ model: chat, prompt: 'Hello!', maxOutputTokens: 8, maxRetries: 0 });
    return { content: r.text, finish: r.finishReason, usage: r.usage };
  },
  chatStream: async () => {
    const r = streamText({ model: chat, prompt: 'Stream please', maxOutputTokens: 8, maxRetries: 0 });
    let content = '';
    for await (const part of r.textStream) {
      content += part;
    }
    return { content, finish: await r.finishReason, usage: await r.usage };
  },
  tools: async () => {
    const r = await generateText({ model: chat, prompt: 'What is the weather in Paris?', tools, maxRetries: 0 });
    const call = r.toolCalls[0];
    return { finish: r.finishReason, id: call.toolCallId, name: call.toolName, arguments: call.input };
  },
  toolsStream: async () => {
    const r = streamText({ model: chat, prompt: 'Weather?', tools, toolChoice: 'required', maxRetries: 0 });
    const calls = await r.toolCalls;
    return { finish: await r.finishReason, id: calls[0].toolCallId, name: calls[0].toolName, arguments: calls[0].input };
  },
  jsonMode: async () => {
    const r = await generateObject({
      model: chat, prompt: 'Describe a city', maxRetries: 0,
      schema: jsonSchema({
        type: 'object',
        properties: { name: { type: 'string' }, population: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { type: 'string' } } },
        required: ['name', 'population', 'tags'],
        additionalProperties: false,
      }),
    });
    return { parsed: r.object, finish: r.finishReason };
  },
  responses: async () => {
    // openai(model) is the Responses API, the SDK's default for OpenAI models.
    const r = await generateText({ model: openai(model), prompt: 'Hello!', maxOutputTokens: 8, maxRetries: 0 });
    return { content: r.text, finish: r.finishReason, usage: r.usage };
  },
  responsesStream: async () => {
    const r = streamText({ model: openai(model), prompt: 'Stream please', maxOutputTokens: 8, maxRetries: 0 });
    let content = '';
    for await (const part of r.textStream) {
      content += part;
    }
    return { content, finish: await r.finishReason, usage: await r.usage };
  },
  embeddings: async () => {
    const r = await embed({ model: openai.embedding(model), value: 'hello', maxRetries: 0 });
    return { dims: r.embedding.length, norm: Math.sqrt(r.embedding.reduce((s, x) => s + x * x, 0)), first: r.embedding.slice(0, 4) };
  },
});
